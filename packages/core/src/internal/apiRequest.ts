import * as Redacted from "effect/Redacted"
import type { Provider } from "../Provider.js"

/** Sets `token` on `headers` the way the provider's API wants it (the dialect's `apiAuth`). */
export const attachToken = (provider: Provider, headers: Headers, token: Redacted.Redacted<string>): void => {
  const auth = provider.dialect.apiAuth
  if (auth.kind === "bearer") {
    headers.set("authorization", `Bearer ${Redacted.value(token)}`)
  } else {
    headers.set(auth.header, Redacted.value(token))
    if (auth.appKeyHeader !== undefined) headers.set(auth.appKeyHeader, provider.client.clientId)
  }
}

/**
 * Every header that can carry a credential of ours or the caller's: removed before a hop to an
 * origin that is not the provider's. fetch itself strips only `Authorization`.
 */
export const credentialHeaders = (provider: Provider): ReadonlyArray<string> => {
  const auth = provider.dialect.apiAuth
  const names = ["authorization", "proxy-authorization", "cookie"]
  if (auth.kind === "header") {
    names.push(auth.header.toLowerCase())
    if (auth.appKeyHeader !== undefined) names.push(auth.appKeyHeader.toLowerCase())
  }
  return names
}

const invalidTokenChallenge = /\berror\s*=\s*"?invalid_token"?/i

/**
 * Whether a resource server refused the access token itself: HTTP 401, or an RFC 6750 §3.1
 * `WWW-Authenticate: Bearer error="invalid_token"` on any status.
 */
export const tokenRefused = (response: Response): boolean =>
  response.status === 401 || invalidTokenChallenge.test(response.headers.get("www-authenticate") ?? "")

/** A refusal body is a few dozen bytes; a larger body is an answer, and is not read. */
const MAX_REFUSAL_BYTES = 1024

const isJson = (contentType: string | null): boolean =>
  contentType !== null && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())

/**
 * The `error-flag` rule (Cryptohopper): a JSON body `{"error":1,"status":401,...}` means the token
 * was refused, whatever the HTTP status (its gateway answers some refusals with 200). Reads a copy
 * of at most 1 KiB of the body, so the caller still gets the whole, unread response.
 */
export const refusedInBody = async (response: Response): Promise<boolean> => {
  if (response.body === null || !isJson(response.headers.get("content-type"))) return false
  const declared = Number(response.headers.get("content-length") ?? Number.NaN)
  if (declared > MAX_REFUSAL_BYTES) return false
  const reader = response.clone().body!.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > MAX_REFUSAL_BYTES) return false
      chunks.push(value)
    }
  } catch {
    return false
  } finally {
    void reader.cancel().catch(() => undefined)
  }
  let parsed: unknown
  try {
    const bytes = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    parsed = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return false
  }
  if (typeof parsed !== "object" || parsed === null) return false
  const { error, status } = parsed as { error?: unknown; status?: unknown }
  return (error === 1 || error === true || error === "1") && (status === 401 || status === "401")
}

/**
 * Whether a request with this `init.body` can be sent a second time: no body, or one fetch can
 * serialise again (string, URLSearchParams, FormData, Blob, ArrayBuffer, typed array). A stream
 * is consumed by the first attempt, and buffering it for a retry would hold a whole upload in memory.
 */
export const replayableBody = (body: BodyInit | null | undefined): boolean =>
  body === undefined ||
  body === null ||
  typeof body === "string" ||
  body instanceof URLSearchParams ||
  body instanceof FormData ||
  body instanceof Blob ||
  body instanceof ArrayBuffer ||
  ArrayBuffer.isView(body)
