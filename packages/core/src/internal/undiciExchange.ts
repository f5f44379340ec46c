/**
 * One request/answer exchange on an undici dispatcher, read into the transport's HttpResponse with
 * the same body cap and the same outcome as the fetch transport's `toHttpResponse`: status,
 * lower-case headers, the body as text, BodyTooLarge past the cap whether or not the length is
 * declared.
 */
import type { Dispatcher } from "undici"
import type { HttpResponse } from "../Transport.js"
import { BodyTooLarge, BodyUndecodable } from "./fetchResponse.js"

const headersOf = (raw: Record<string, string | Array<string> | undefined>): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const key in raw) {
    const value = raw[key]
    // undici gives repeated headers as an array; fetch's Headers joins them with ", ".
    if (value !== undefined) headers[key] = typeof value === "string" ? value : value.join(", ")
  }
  return headers
}

const decoder = new TextDecoder()

const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const all = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return all
}

/**
 * undici.request never sends `Accept-Encoding` nor inflates, so a compressed body only comes from
 * a server that compresses unasked; fetch would inflate it, and so do we, with the same cap on the
 * inflated size.
 */
const inflate = async (
  bytes: Uint8Array,
  encoding: string,
  maxBytes: number,
  tooLarge: () => BodyTooLarge,
  undecodable: () => BodyUndecodable,
) => {
  const zlib = await import("node:zlib")
  const options = { maxOutputLength: maxBytes + 1 }
  try {
    const out =
      encoding === "gzip" || encoding === "x-gzip"
        ? zlib.gunzipSync(bytes, options)
        : encoding === "deflate"
          ? zlib.inflateSync(bytes, options)
          : encoding === "br"
            ? zlib.brotliDecompressSync(bytes, options)
            : bytes
    if (out.byteLength > maxBytes) throw tooLarge()
    return decoder.decode(out)
  } catch (error) {
    if (error instanceof BodyTooLarge) throw error
    // zlib refuses output past maxOutputLength with a RangeError.
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError)
      throw tooLarge()
    // Not compressed as declared: the server's malformed answer, not a network failure.
    throw undecodable()
  }
}

/**
 * Receives one undici exchange (the dispatcher's handler interface, below `undici.request`: no
 * body stream, no abort-signal listener) and calls `done` once with the HttpResponse or the error.
 * The body cap is checked on the declared length and on every chunk; past it the exchange is
 * aborted with BodyTooLarge.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private pendingAbort: Error | undefined
  private status = 0
  private headers: Record<string, string> = {}
  private readonly chunks: Array<Uint8Array> = []
  private total = 0
  private finished = false

  constructor(
    private readonly maxBytes: number,
    private readonly done: (response: HttpResponse | undefined, error: unknown) => void,
  ) {}

  /** Stops the exchange (timeout, interruption); `done` then gets `reason`. */
  abort(reason: Error): void {
    if (this.controller === undefined) this.pendingAbort = reason
    else this.controller.abort(reason)
  }

  private finish(response: HttpResponse | undefined, error: unknown): void {
    if (this.finished) return
    this.finished = true
    this.done(response, error)
  }

  private tooLarge(): BodyTooLarge {
    return new BodyTooLarge(this.status, this.headers["content-type"])
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.pendingAbort !== undefined) controller.abort(this.pendingAbort)
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | Array<string> | undefined>,
  ): void {
    // 1xx informational answers are not the answer (as in undici.request).
    if (statusCode < 200) return
    this.status = statusCode
    this.headers = headersOf(headers)
    const declared = this.headers["content-length"]
    if (declared !== undefined && Number(declared) > this.maxBytes) {
      this.finish(undefined, this.tooLarge())
      controller.abort(new Error("response body larger than the cap"))
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Uint8Array): void {
    if (this.finished) return
    this.total += chunk.byteLength
    if (this.total > this.maxBytes) {
      this.finish(undefined, this.tooLarge())
      controller.abort(new Error("response body larger than the cap"))
      return
    }
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.finished) return
    const bytes = concat(this.chunks, this.total)
    const encoding = this.headers["content-encoding"]
    if (encoding === undefined || encoding === "identity") {
      this.finish({ status: this.status, headers: this.headers, body: decoder.decode(bytes) }, undefined)
    } else {
      inflate(
        bytes,
        encoding,
        this.maxBytes,
        () => this.tooLarge(),
        () => new BodyUndecodable(this.status, this.headers["content-type"], encoding),
      ).then(
        (body) => this.finish({ status: this.status, headers: this.headers, body }, undefined),
        (error: unknown) => this.finish(undefined, error),
      )
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(undefined, error)
  }
}

const origins = new Map<string, { readonly origin: string; readonly path: string }>()

/** `origin` and `path` of a URL, as undici's dispatchers take them; parsed once per URL. */
export const targetOf = (url: string): { readonly origin: string; readonly path: string } => {
  let target = origins.get(url)
  if (target === undefined) {
    const u = new URL(url)
    target = { origin: u.origin, path: `${u.pathname}${u.search}` }
    // Endpoints are few; a client that sends to many URLs only loses the cache.
    if (origins.size >= 256) origins.clear()
    origins.set(url, target)
  }
  return target
}
