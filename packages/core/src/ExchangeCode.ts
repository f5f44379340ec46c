/**
 * Exchanges an authorization code for tokens (RFC 6749 §4.1.3). Sent once and never retried:
 * a code is single use, and a server that saw the first attempt would revoke what it issued.
 * Most callers want `handleCallback`, which checks the state first and calls this.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * const tokens = OAuth.exchangeCode(provider, { code, codeVerifier, redirectUri })
 * ```
 */
import * as Effect from "effect/Effect"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { SecretInput } from "./internal/secrets.js"
import type { Provider } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"
import type { HttpTransport } from "./Transport.js"
import { toRedacted, toRedactedOrUndefined } from "./internal/secrets.js"
import { requestTokens } from "./internal/tokenEndpoint.js"

export interface ExchangeCodeOptions {
  readonly code: SecretInput
  /** The PKCE verifier of the authorization request, when it sent a challenge. */
  readonly codeVerifier?: SecretInput | undefined
  /** Exactly the redirect_uri of the authorization request (default: the provider's). */
  readonly redirectUri?: string | undefined
}

/** Trades a code for a TokenSet. */
export const exchangeCode = Effect.fn("OAuth.exchangeCode")(function* (
  provider: Provider,
  options: ExchangeCodeOptions,
): Effect.fn.Return<TokenSet, ConfigError | TransportError | InvalidResponse | OAuthServerError, HttpTransport> {
  return yield* requestTokens(
    provider,
    [
      ["grant_type", "authorization_code"],
      ["code", toRedacted(options.code)],
      ["redirect_uri", options.redirectUri ?? provider.client.redirectUri],
      ["code_verifier", toRedactedOrUndefined(options.codeVerifier)],
    ],
    "never",
  )
})
