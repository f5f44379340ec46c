import type { SandboxClient } from "../Clients.js"
import type { Params } from "../http/Params.js"
import { sendTokenJson } from "../http/Reply.js"
import { verifyPkce } from "../Pkce.js"
import { randomHex } from "../Random.js"
import type { Exchange, SandboxContext } from "../SandboxContext.js"
import type { IssuedToken } from "../TokenRegistry.js"
import { authenticateClient } from "./ClientAuthentication.js"
import { readRequestParams } from "./RequestParams.js"
import { sendOAuthError, type OAuthError } from "./TokenErrors.js"
import { tokenResponse } from "./TokenResponse.js"

type GrantResult =
  { readonly ok: true; readonly body: Record<string, unknown> } | ({ readonly ok: false } & OAuthError)

const fail = (error: string, description: string): GrantResult => ({ ok: false, error, description })

const issueAccess = (
  ctx: SandboxContext,
  client: SandboxClient,
  scopes: ReadonlyArray<string>,
  grantId: string,
): IssuedToken =>
  ctx.tokens.issue({
    value: randomHex(20),
    kind: "access",
    provider: "cryptohopper",
    clientId: client.clientId,
    scopes,
    grantId,
    expiresAt: ctx.now() + ctx.options.accessTokenTtlSeconds.cryptohopper * 1000,
  })

const issueRefresh = (
  ctx: SandboxContext,
  client: SandboxClient,
  scopes: ReadonlyArray<string>,
  grantId: string,
): IssuedToken =>
  ctx.tokens.issue({
    value: randomHex(20),
    kind: "refresh",
    provider: "cryptohopper",
    clientId: client.clientId,
    scopes,
    grantId,
    expiresAt: undefined,
  })

const authorizationCodeGrant = (ctx: SandboxContext, client: SandboxClient, params: Params): GrantResult => {
  const value = params.get("code")
  if (value === undefined) return fail("invalid_request", "Missing parameter: code is required.")
  const code = ctx.codes.find(value)
  if (!code || code.clientId !== client.clientId)
    return fail("invalid_grant", "The authorization code is invalid.")
  if (code.consumed) {
    // RFC 6749 §4.1.2: a code used twice may have been stolen, so everything it gave is revoked.
    ctx.tokens.revokeGrant(code.grantId)
    return fail("invalid_grant", "The authorization code has already been used.")
  }
  // The first exchange attempt by the code's own client uses it up, successful or not, so a
  // wrong verifier or redirect URI cannot be retried against the same code.
  code.consumed = true
  if (ctx.codes.isExpired(code)) return fail("invalid_grant", "The authorization code has expired.")

  const redirectUri = params.get("redirect_uri")
  if (
    code.redirectUriSent
      ? redirectUri !== code.redirectUri
      : redirectUri !== undefined && redirectUri !== code.redirectUri
  ) {
    return fail("invalid_grant", "The redirect URI does not match the one of the authorization request.")
  }

  const verifier = params.get("code_verifier")
  if (code.codeChallenge !== undefined) {
    if (verifier === undefined) return fail("invalid_grant", "The code verifier is missing.")
    if (!verifyPkce(verifier, code.codeChallenge, code.codeChallengeMethod ?? "plain")) {
      return fail("invalid_grant", "The code verifier does not match the code challenge.")
    }
  } else if (verifier !== undefined) {
    // RFC 9700 §2.1.1: a verifier without a challenge hints at a PKCE downgrade.
    return fail(
      "invalid_grant",
      "A code verifier was sent but the authorization request had no code challenge.",
    )
  }

  const access = issueAccess(ctx, client, code.scopes, code.grantId)
  const refresh = issueRefresh(ctx, client, code.scopes, code.grantId)
  return { ok: true, body: tokenResponse(ctx, access, refresh) }
}

const refreshTokenGrant = (ctx: SandboxContext, client: SandboxClient, params: Params): GrantResult => {
  const value = params.get("refresh_token")
  if (value === undefined) return fail("invalid_request", "Missing parameter: refresh_token is required.")
  const check = ctx.tokens.check(value, "refresh", "cryptohopper")
  if (check.status !== "valid" || check.token.clientId !== client.clientId) {
    return fail("invalid_grant", "The refresh token is invalid.")
  }
  const previous = check.token
  let scopes = previous.scopes
  const scopeParam = params.get("scope")
  if (scopeParam !== undefined) {
    const requested = [...new Set(scopeParam.split(","))]
    if (requested.some((s) => !previous.scopes.includes(s))) {
      return fail("invalid_scope", "The requested scope exceeds the scope granted by the resource owner.")
    }
    scopes = requested
  }
  const access = issueAccess(ctx, client, scopes, previous.grantId)
  // Cryptohopper answers a refresh without a new refresh_token and keeps the old one valid;
  // rotation is opt-in for tests of clients that must handle both.
  if (!ctx.options.rotateRefreshTokens) return { ok: true, body: tokenResponse(ctx, access, undefined) }
  ctx.tokens.revoke(previous)
  const refresh = issueRefresh(ctx, client, previous.scopes, previous.grantId)
  return { ok: true, body: tokenResponse(ctx, access, refresh) }
}

/** `POST /oauth2/token` in Cryptohopper's dialect. */
export const token = async ({ req, res, ctx }: Exchange): Promise<void> => {
  if (req.method !== "POST") {
    sendOAuthError(res, { error: "invalid_request", description: "The request method must be POST." }, 405)
    return
  }
  const params = await readRequestParams(req, res)
  if (!params) return
  const grantType = params.get("grant_type")
  if (grantType === undefined) {
    return sendOAuthError(res, {
      error: "invalid_request",
      description: "The grant type was not specified in the request.",
    })
  }
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return sendOAuthError(res, {
      error: "unsupported_grant_type",
      description: `Grant type "${grantType}" is not supported.`,
    })
  }
  const auth = authenticateClient(ctx, req, params)
  if (!auth.ok) return sendOAuthError(res, auth)
  const result =
    grantType === "authorization_code"
      ? authorizationCodeGrant(ctx, auth.client, params)
      : refreshTokenGrant(ctx, auth.client, params)
  if (result.ok) sendTokenJson(res, 200, result.body)
  else sendOAuthError(res, result)
}
