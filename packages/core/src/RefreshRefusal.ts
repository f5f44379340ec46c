/**
 * When a failed refresh means the session is over. A session whose refresh token the server
 * refused must end (`LoginRequired`, the session deleted) instead of spending the dead token on
 * every call; a session whose refresh failed for any other reason must survive, because ending it
 * throws away a refresh token that may be fine and signs the user out.
 *
 * The rule, for an answer of the token endpoint to a refresh:
 * - `invalid_grant` (RFC 6749 §5.2: the refresh token is invalid, expired or revoked), at any
 *   status, also inside a 200: refused.
 * - HTTP 400 that carries no OAuth error at all and is not an HTML page (an empty body, plain
 *   text, JSON without `error`): refused. RFC 6749 answers every token-request error with 400
 *   (save `invalid_client`), so a bare 400 is the server saying no to the grant; glewlwyd answers a
 *   revoked refresh token exactly so.
 * - HTTP 401 with no usable body, for a client that does not authenticate (`clientAuth: "none"`):
 *   refused, as there are no client credentials it could be about.
 * - Everything else keeps the session:
 *   - `invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`,
 *     `invalid_request`, and a bare 401 for a confidential client: the client or its configuration
 *     is wrong (RFC 6749 reserves 401 for client authentication). Ending sessions here would sign
 *     every user out at once over a mistyped secret, and a new login would not help.
 *   - 5xx, 429 and `temporarily_unavailable`: the server is in trouble or busy, the token may be fine.
 *   - An HTML page at any status: a proxy, WAF or bot wall answered, not the OAuth server.
 *   - No answer (TransportError) or an oversized one.
 *   - Any other error code: not a clear refusal of the grant.
 *
 * @example
 * ```ts
 * import { RefreshRefusal } from "@grantflow/core"
 * if (RefreshRefusal.endsSession(error, provider)) await store.delete(key)
 * ```
 */
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { Provider } from "./Provider.js"

/** What a refresh can fail with. */
export type RefreshFailure = ConfigError | TransportError | InvalidResponse | OAuthServerError

/** Whether the token endpoint's answer to a refresh refused the refresh token itself (see the module doc). */
export const endsSession = (error: { readonly _tag: string }, provider: Provider): boolean => {
  if (error._tag === "OAuthServerError") return (error as OAuthServerError).error === "invalid_grant"
  if (error._tag !== "InvalidResponse") return false
  const { status, bodyKind } = error as InvalidResponse
  // Only an answer we read: `bodyKind` is unset when the transport refused an oversized body.
  if (bodyKind === undefined || bodyKind === "html") return false
  if (status === 400) return true
  return status === 401 && provider.dialect.clientAuth === "none"
}
