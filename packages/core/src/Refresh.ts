/**
 * The refresh grant (RFC 6749 §6). Retried only when the server cannot have seen the request
 * (connection refused, 429, 503 with `Retry-After`): a rotating server spends the refresh token
 * on first sight, and a second attempt would be refused. When the answer has no
 * `refresh_token`, the old one is kept where the dialect says the server does that.
 *
 * @example
 * ```ts
 * import { OAuth } from "@grantflow/core"
 * const next = OAuth.refresh(provider, tokens.refreshToken!)
 * ```
 */
import * as Effect from "effect/Effect"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { SecretInput } from "./internal/secrets.js"
import type { Provider } from "./Provider.js"
import { joinScopes } from "./TokenRequest.js"
import type { TokenSet } from "./TokenSet.js"
import type { HttpTransport } from "./Transport.js"
import { toRedacted } from "./internal/secrets.js"
import { requestTokens } from "./internal/tokenEndpoint.js"

export interface RefreshOptions {
  /** Narrow the scopes (RFC 6749 §6); omitted means the original grant's scopes. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/** Trades a refresh token for a new TokenSet. */
export const refresh = Effect.fn("OAuth.refresh")(function* (
  provider: Provider,
  refreshToken: SecretInput,
  options: RefreshOptions = {},
): Effect.fn.Return<TokenSet, ConfigError | TransportError | InvalidResponse | OAuthServerError, HttpTransport> {
  const token = toRedacted(refreshToken)
  return yield* requestTokens(
    provider,
    [
      ["grant_type", "refresh_token"],
      ["refresh_token", token],
      ["scope", joinScopes(provider, options.scopes)],
      ["redirect_uri", provider.dialect.redirectUriOnRefresh ? provider.client.redirectUri : undefined],
    ],
    "unseen-only",
    token,
  )
})
