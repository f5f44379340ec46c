import type { IncomingMessage } from "node:http"

/** Request bodies above this many bytes are refused with a 400. */
export const MAX_BODY_BYTES = 64 * 1024

/** Beyond this the socket is dropped instead of drained, so a client cannot stream forever. */
const DRAIN_LIMIT_BYTES = 4 * 1024 * 1024

/** A request body read into memory, or the reason it was not. */
export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: "too-large" | "aborted" }

/**
 * Reads the whole body up to {@link MAX_BODY_BYTES}. A larger body is drained (so the client
 * still reads our 400 instead of a broken pipe) and reported as too large.
 */
export const readBody = (req: IncomingMessage): Promise<BodyResult> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let settled = false
    const settle = (result: BodyResult) => {
      if (settled) return
      settled = true
      resolve(result)
    }
    // A client can give up while a delay fault holds its request; its events are gone by then.
    if (req.destroyed) {
      settle({ ok: false, reason: "aborted" })
      return
    }
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES) {
      req.socket.destroy()
      settle({ ok: false, reason: "aborted" })
      return
    }
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > DRAIN_LIMIT_BYTES) {
        req.socket.destroy()
        settle({ ok: false, reason: "aborted" })
      } else if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk)
      }
    })
    req.on("end", () =>
      settle(
        size > MAX_BODY_BYTES
          ? { ok: false, reason: "too-large" }
          : { ok: true, bytes: Buffer.concat(chunks) },
      ),
    )
    req.on("error", () => settle({ ok: false, reason: "aborted" }))
    req.on("close", () => settle({ ok: false, reason: "aborted" }))
  })

/** The media type of a request, lower case, without parameters ("" when absent). */
export const mediaType = (req: IncomingMessage): string =>
  (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
