/**
 * Token revocation (RFC 7009) with `token_type_hint`. Revoking is idempotent, so it is retried
 * like client credentials. A provider without a revocation endpoint fails with ConfigError.
 *
 * @example
 * ```ts
 * import { OAuth } from "@grantflow/core"
 * OAuth.revoke(provider, tokens.refreshToken!, { hint: "refresh_token" })
 * ```
 */
import * as Effect from "effect/Effect"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { SecretInput } from "./internal/secrets.js"
import type { Provider } from "./Provider.js"
import * as TokenResponse from "./TokenResponse.js"
import type { HttpTransport } from "./Transport.js"
import { postWithClientAuth } from "./internal/clientAuthenticatedPost.js"
import { toRedacted } from "./internal/secrets.js"

export interface RevokeOptions {
  readonly hint?: "access_token" | "refresh_token" | undefined
}

/** Revokes a token; succeeds on any 2xx (RFC 7009 §2.2: also for tokens the server does not know). */
export const revoke = Effect.fn("OAuth.revoke")(function* (
  provider: Provider,
  token: SecretInput,
  options: RevokeOptions = {},
): Effect.fn.Return<void, ConfigError | TransportError | InvalidResponse | OAuthServerError, HttpTransport> {
  const { response, knownSecrets } = yield* postWithClientAuth(provider, "revocation", [
    ["token", toRedacted(token)],
    ["token_type_hint", options.hint],
  ])
  if (response.status >= 200 && response.status < 300) return
  return yield* TokenResponse.errorOf(response, { knownSecrets })
})
