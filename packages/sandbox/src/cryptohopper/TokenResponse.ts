import type { SandboxContext } from "../SandboxContext.js"
import type { IssuedToken } from "../TokenRegistry.js"

/**
 * The token response as Cryptohopper shapes it: `scope` comma joined (null when empty),
 * `expires_in` an integer unless `expiresInAsString` mimics the docs' string example.
 */
export const tokenResponse = (
  ctx: SandboxContext,
  access: IssuedToken,
  refresh: IssuedToken | undefined,
): Record<string, unknown> => {
  const ttl = ctx.options.accessTokenTtlSeconds.cryptohopper
  return {
    access_token: access.value,
    expires_in: ctx.options.expiresInAsString ? String(ttl) : ttl,
    token_type: ctx.options.lowercaseTokenType ? "bearer" : "Bearer",
    scope: access.scopes.length === 0 ? null : access.scopes.join(","),
    ...(refresh ? { refresh_token: refresh.value } : {}),
  }
}
