import { sendEmpty } from "../http/Reply.js"
import type { Exchange } from "../SandboxContext.js"
import { authenticateClient } from "./ClientAuthentication.js"
import { readFormRequest, refuseDuplicates } from "./FormRequest.js"
import { sendDotError } from "./OAuthErrors.js"

const HINTS = ["access_token", "refresh_token"]

/**
 * `POST /o/revoke_token/` (RFC 7009) as django-oauth-toolkit answers it: 200 with no body,
 * also for tokens it does not know or that belong to another client.
 */
export const revokeToken = async (exchange: Exchange): Promise<void> => {
  const { req, res, ctx } = exchange
  const params = await readFormRequest(exchange)
  if (!params) return
  if (refuseDuplicates(res, params)) return
  const value = params.get("token")
  if (value === undefined)
    return sendDotError(res, { error: "invalid_request", description: "Missing token parameter." })
  const auth = authenticateClient(ctx, req, params)
  if (!auth.ok) return sendDotError(res, auth)
  const hint = params.get("token_type_hint")
  if (hint !== undefined && !HINTS.includes(hint))
    return sendDotError(res, { error: "unsupported_token_type" })
  const token = ctx.tokens.find(value, "cryptofuse")
  if (token && token.clientId === auth.client.clientId) ctx.tokens.revoke(token)
  sendEmpty(res, 200, { "cache-control": "no-store" })
}
