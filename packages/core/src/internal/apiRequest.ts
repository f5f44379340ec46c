import * as Redacted from "effect/Redacted"
import type { Provider } from "../Provider.js"

/** Request headers as a record with lower-case names (what the API call builds and fetch accepts). */
export type HeaderRecord = Record<string, string>

/**
 * Any `HeadersInit` as a record with lower-case names, repeated names joined with ", " as Headers
 * does. A plain record is cheaper for fetch than a Headers object, and makes removing a header by
 * name exact whatever case the caller wrote it in. Null prototype: a header named `__proto__` is data.
 */
export const headerRecord = (init: HeadersInit | undefined): HeaderRecord => {
  const out: HeaderRecord = Object.create(null) as HeaderRecord
  if (init === undefined) return out
  const add = (name: string, value: string) => {
    const key = name.toLowerCase()
    out[key] = key in out ? `${out[key]}, ${value}` : value
  }
  if (init instanceof Headers) init.forEach((value, name) => add(name, value))
  else if (Array.isArray(init)) for (const [name, value] of init) add(name!, value!)
  else for (const name of Object.keys(init)) add(name, (init as Record<string, string>)[name]!)
  return out
}

/** Sets `token` on `headers` the way the provider's API wants it (the dialect's `apiAuth`). */
export const attachToken = (
  provider: Provider,
  headers: HeaderRecord,
  token: Redacted.Redacted<string>,
): void => {
  const auth = provider.dialect.apiAuth
  if (auth.kind === "bearer") {
    headers.authorization = `Bearer ${Redacted.value(token)}`
  } else {
    headers[auth.header.toLowerCase()] = Redacted.value(token)
    if (auth.appKeyHeader !== undefined) headers[auth.appKeyHeader.toLowerCase()] = provider.client.clientId
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
 * `WWW-Authenticate: Bearer error="invalid_token"` on any error status. A success is not read for
 * a challenge: that is the hot path, and the first header lookup on a fetch Response costs
 * microseconds.
 */
export const tokenRefused = (response: Response): boolean =>
  response.status === 401 ||
  (response.status >= 400 && invalidTokenChallenge.test(response.headers.get("www-authenticate") ?? ""))

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
