import * as Redacted from "effect/Redacted"
import type { Provider } from "../Provider.js"

/** A copy of `request` carrying `token` the way the provider's API wants it. */
export const withToken = (
  provider: Provider,
  request: Request,
  token: Redacted.Redacted<string>,
): Request => {
  const authed = new Request(request)
  const auth = provider.dialect.apiAuth
  if (auth.kind === "bearer") {
    authed.headers.set("authorization", `Bearer ${Redacted.value(token)}`)
  } else {
    authed.headers.set(auth.header, Redacted.value(token))
    if (auth.appKeyHeader !== undefined) authed.headers.set(auth.appKeyHeader, provider.client.clientId)
  }
  return authed
}

const invalidTokenChallenge = /\berror\s*=\s*"?invalid_token"?/i

/**
 * Whether a resource server refused the access token itself: HTTP 401, or an RFC 6750 §3.1
 * `WWW-Authenticate: Bearer error="invalid_token"` on any status.
 */
export const tokenRefused = (response: Response): boolean =>
  response.status === 401 || invalidTokenChallenge.test(response.headers.get("www-authenticate") ?? "")

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
