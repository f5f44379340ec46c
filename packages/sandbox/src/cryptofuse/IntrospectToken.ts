import { sendEmpty, sendJson } from "../http/Reply.js"
import type { Exchange } from "../SandboxContext.js"
import { authenticateClient } from "./ClientAuthentication.js"
import { readFormRequest } from "./FormRequest.js"

/**
 * `POST /o/introspect/` (RFC 7662) as django-oauth-toolkit's IntrospectTokenView answers it:
 * - the caller authenticates as a client (Basic or `client_id`/`client_secret` in the body);
 *   any authenticated client may introspect any token, as in DOT. A caller that fails gets
 *   Django's bare `403 Forbidden` (ClientProtectedResourceMixin), not an OAuth error. DOT's other
 *   way in, a Bearer token with the `introspection` scope, is not emulated: no sandbox client
 *   can be granted that scope.
 * - no `token`: 400 `invalid_request` "Token parameter is missing."
 * - a valid access token: `{ active, scope, exp, client_id }` (`username` only for a user's token;
 *   Cryptofuse tokens are the client's own); anything else, refresh tokens and expired or revoked
 *   access tokens included: `{ "active": false }`. `token_type_hint` is ignored, as DOT does.
 */
export const introspectToken = async (exchange: Exchange): Promise<void> => {
  const { req, res, ctx } = exchange
  const params = await readFormRequest(exchange)
  if (!params) return
  const auth = authenticateClient(ctx, req, params)
  if (!auth.ok) return sendEmpty(res, 403, { "content-type": "text/html; charset=utf-8" })
  const value = params.get("token")
  if (value === undefined)
    return sendJson(res, 400, { error: "invalid_request", error_description: "Token parameter is missing." })
  const check = ctx.tokens.check(value, "access", "cryptofuse")
  if (check.status !== "valid") return sendJson(res, 200, { active: false })
  const { token } = check
  sendJson(res, 200, {
    active: true,
    scope: token.scopes.join(" "),
    // calendar.timegm(expires.timetuple()): whole seconds.
    exp: Math.floor((token.expiresAt ?? ctx.now()) / 1000),
    client_id: token.clientId,
  })
}
