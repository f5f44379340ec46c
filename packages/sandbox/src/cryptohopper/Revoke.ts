import { sendEmpty } from "../http/Reply.js"
import type { Exchange } from "../SandboxContext.js"
import { authenticateClient } from "./ClientAuthentication.js"
import { readRequestParams } from "./RequestParams.js"
import { sendOAuthError } from "./TokenErrors.js"

const HINTS = ["access_token", "refresh_token"]

/**
 * `POST /oauth2/revoke`, RFC 7009. A sandbox extension: Cryptohopper documents no revocation
 * endpoint. Unknown tokens, and tokens of other clients, get the same 200 so the endpoint
 * tells nobody which tokens exist.
 */
export const revoke = async ({ req, res, ctx }: Exchange): Promise<void> => {
  if (req.method !== "POST") {
    sendOAuthError(res, { error: "invalid_request", description: "The request method must be POST." }, 405)
    return
  }
  const params = await readRequestParams(req, res)
  if (!params) return
  const auth = authenticateClient(ctx, req, params)
  if (!auth.ok) return sendOAuthError(res, auth)
  const value = params.get("token")
  if (value === undefined)
    return sendOAuthError(res, {
      error: "invalid_request",
      description: "Missing parameter: token is required.",
    })
  const hint = params.get("token_type_hint")
  if (hint !== undefined && !HINTS.includes(hint)) {
    return sendOAuthError(res, {
      error: "unsupported_token_type",
      description: `Token type hint "${hint}" is not supported.`,
    })
  }
  const token = ctx.tokens.find(value, "cryptohopper")
  if (token && token.clientId === auth.client.clientId) {
    ctx.tokens.revoke(token)
    // RFC 7009 §2.1: revoking a refresh token also ends the access tokens of its grant.
    if (token.kind === "refresh") ctx.tokens.revokeGrant(token.grantId, "access")
  }
  sendEmpty(res, 200, { "cache-control": "no-store" })
}
