/**
 * The client credentials grant (RFC 6749 §4.4): a token for the client itself. Safe to repeat,
 * so it is retried on network errors, timeouts, 429 and 5xx, honouring `Retry-After`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth, Providers } from "@grantflow/core"
 * const fuse = Providers.cryptofuse({ clientId, clientSecret })
 * const tokens = await Effect.runPromise(
 *   OAuth.clientCredentials(fuse, { scopes: ["read"] }).pipe(Effect.provide(OAuth.layer())),
 * )
 * ```
 */
import * as Effect from "effect/Effect"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { Provider } from "./Provider.js"
import { joinScopes } from "./TokenRequest.js"
import type { TokenSet } from "./TokenSet.js"
import type { HttpTransport } from "./Transport.js"
import { whenTracing } from "./internal/spans.js"
import { requestTokens } from "./internal/tokenEndpoint.js"

export interface ClientCredentialsOptions {
  /** Scopes to ask for (default: the provider's `scopes`); omitted from the request when empty. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const inSpan = whenTracing(Effect.withSpan("OAuth.clientCredentials"))

/**
 * Requests a client-credentials token. Each call is an `OAuth.clientCredentials` span; unlike
 * `Effect.fn`, no call-site stack is captured per call, as this is the flow a service runs most.
 */
export const clientCredentials = (
  provider: Provider,
  options: ClientCredentialsOptions = {},
): Effect.Effect<TokenSet, ConfigError | TransportError | InvalidResponse | OAuthServerError, HttpTransport> =>
  inSpan(
    Effect.suspend(() =>
      requestTokens(
        provider,
        [
          ["grant_type", "client_credentials"],
          ["scope", joinScopes(provider, options.scopes ?? provider.defaultScopes)],
        ],
        "idempotent",
      ),
    ),
  )
