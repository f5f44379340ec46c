import { sendTokenJson } from "../http/Reply.js"
import { randomAlphanumeric } from "../Random.js"
import type { Exchange } from "../SandboxContext.js"
import { authenticateClient } from "./ClientAuthentication.js"
import { readFormRequest, refuseDuplicates } from "./FormRequest.js"
import { sendDotError } from "./OAuthErrors.js"

/** Grants django-oauth-toolkit knows but a client-credentials application may not use. */
const OTHER_KNOWN_GRANTS = ["authorization_code", "refresh_token", "password"]

/** `POST /o/token/` as django-oauth-toolkit answers it for a client-credentials application. */
export const token = async (exchange: Exchange): Promise<void> => {
  const { req, res, ctx } = exchange
  const params = await readFormRequest(exchange)
  if (!params) return
  const grantType = params.get("grant_type")
  // oauthlib sends a missing or unknown grant type to its default handler, which refuses it.
  if (
    grantType !== "client_credentials" &&
    (grantType === undefined || !OTHER_KNOWN_GRANTS.includes(grantType))
  ) {
    return sendDotError(res, { error: "unsupported_grant_type" })
  }
  if (refuseDuplicates(res, params)) return
  const auth = authenticateClient(ctx, req, params)
  if (!auth.ok) return sendDotError(res, auth)
  if (grantType !== "client_credentials") return sendDotError(res, { error: "unauthorized_client" })

  const client = auth.client
  const scopeParam = params.get("scope")
  // oauthlib splits on single spaces: a comma-separated list is one unknown scope.
  const scopes =
    scopeParam === undefined
      ? [...(client.defaultScopes ?? client.scopes.filter((s) => s === "read" || s === "write"))]
      : scopeParam.trim().split(" ")
  if (scopes.length === 0 || scopes.some((s) => !client.scopes.includes(s)))
    return sendDotError(res, { error: "invalid_scope" })

  const ttl = ctx.options.accessTokenTtlSeconds.cryptofuse
  const access = ctx.tokens.issue({
    value: randomAlphanumeric(30),
    kind: "access",
    provider: "cryptofuse",
    clientId: client.clientId,
    scopes,
    grantId: randomAlphanumeric(16),
    expiresAt: ctx.now() + ttl * 1000,
  })
  sendTokenJson(res, 200, {
    access_token: access.value,
    expires_in: ttl,
    token_type: "Bearer",
    scope: scopes.join(" "),
  })
}
