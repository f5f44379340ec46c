/** Reading a fetch Response into the transport's HttpResponse, shared by the fetch and ky transports. */
import { InvalidResponse, TransportError } from "../Errors.js"
import type { HttpResponse } from "../Transport.js"

/** Thrown by `readResponse` when the body exceeds the cap; the transport turns it into InvalidResponse. */
export class BodyTooLarge {
  constructor(
    readonly status: number,
    readonly contentType: string | undefined,
  ) {}
}

/**
 * Thrown when a body declared compressed (`Content-Encoding`) does not decode: the server answered,
 * so this is its malformed answer (InvalidResponse), not a network failure.
 */
export class BodyUndecodable {
  constructor(
    readonly status: number,
    readonly contentType: string | undefined,
    readonly encoding: string,
  ) {}
}

/** zlib's and brotli's error codes, as Node reports a body that does not decompress. */
export const isDecompressionError = (error: unknown): boolean => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code
    // Brotli's codes carry digits (`ERR__ERROR_FORMAT_PADDING_2`), which errorCode does not take.
    if (typeof code === "string" && /^(Z_|ERR_ZLIB|ERR_BROTLI|ERR__ERROR_)/.test(code)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

const decoder = new TextDecoder()

/** Reads the body as text, refusing more than `maxBytes` whether or not the length is declared. */
export const readCapped = async (response: Response, maxBytes: number): Promise<string> => {
  const lengthHeader = response.headers.get("content-length")
  if (lengthHeader !== null) {
    const declared = Number(lengthHeader)
    if (Number.isFinite(declared)) {
      if (declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined)
        throw new BodyTooLarge(response.status, response.headers.get("content-type") ?? undefined)
      }
      // The HTTP parser stops at the declared length, so a whole-body read is bounded by the check
      // above and much cheaper than pulling the stream chunk by chunk. Not when the body is
      // compressed: fetch inflates it, and the declared length says nothing about the result.
      const encoding = response.headers.get("content-encoding")
      if (encoding === null || encoding === "identity") return response.text()
    }
  }
  if (response.body === null) return ""
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge(response.status, response.headers.get("content-type") ?? undefined)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return decoder.decode(chunks[0])
  const all = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return decoder.decode(all)
}

/** Status, lower-case headers and the capped body text. */
export const toHttpResponse = async (response: Response, maxBytes: number): Promise<HttpResponse> => {
  let body: string
  try {
    body = await readCapped(response, maxBytes)
  } catch (error) {
    const encoding = response.headers.get("content-encoding")
    if (encoding !== null && isDecompressionError(error)) {
      throw new BodyUndecodable(response.status, response.headers.get("content-type") ?? undefined, encoding)
    }
    throw error
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value
  })
  return { status: response.status, headers, body }
}

/** The system error code (`ECONNREFUSED`, ...) somewhere in a fetch error's cause chain. */
export const errorCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** What a failed fetch or body read means: InvalidResponse for an oversized body, else a network TransportError. */
export const failureOf = (
  error: unknown,
  request: string,
  maxBodyBytes: number,
): TransportError | InvalidResponse => {
  if (error instanceof BodyTooLarge) {
    return new InvalidResponse({
      status: error.status,
      contentType: error.contentType,
      reason: `response body larger than ${maxBodyBytes} bytes`,
      excerpt: "",
    })
  }
  if (error instanceof BodyUndecodable) {
    return new InvalidResponse({
      status: error.status,
      contentType: error.contentType,
      reason: `response body declared as ${error.encoding.slice(0, 32)}-encoded does not decode`,
      excerpt: "",
    })
  }
  const code = errorCode(error)
  return new TransportError({
    reason: "network",
    request,
    detail: code ?? (error instanceof Error ? error.name : "unknown failure"),
    code,
  })
}
