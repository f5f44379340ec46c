/**
 * A request body that fetch cannot send twice, still sent with `Content-Length`.
 *
 * The Fetch standard (and Node's undici-based fetch) silently re-sends a request whose body can
 * be re-read when the server answers 421 Misdirected Request: a string body would deliver an
 * authorization code or a rotating refresh token twice. A stream body has no source to re-read,
 * so fetch gives the 421 back instead. A bare stream goes out chunked, which WSGI servers
 * (django-oauth-toolkit) read as an empty body; the explicit `content-length` header makes
 * undici send it with a length instead.
 */

const encoder = new TextEncoder()

/** The init fields that carry `body` as a one-shot stream; `undefined` bodies stay as they are. */
export interface OneShotInit {
  readonly headers: Record<string, string> | undefined
  readonly body: ReadableStream<Uint8Array> | undefined
  /** Required by fetch for a stream body. */
  readonly duplex?: "half"
}

export const oneShotBody = (
  headers: Readonly<Record<string, string>> | undefined,
  body: string | undefined,
): OneShotInit => {
  if (body === undefined) return { headers: headers as Record<string, string> | undefined, body: undefined }
  const bytes = encoder.encode(body)
  return {
    headers: { ...headers, "content-length": String(bytes.byteLength) },
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes)
        controller.close()
      },
    }),
    duplex: "half",
  }
}
