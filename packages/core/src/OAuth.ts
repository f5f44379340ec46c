/**
 * The flows as Effects with typed error channels, for Effect users. Each needs an HttpTransport,
 * and `authorize` / `handleCallback` a StateStore; `getAccessToken` and the session functions
 * need the TokenManager, `fetch` the ApiClient. `OAuth.layer()` provides the defaults (fetch
 * transport, memory stores, a TokenManager and an ApiClient over them).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth, Providers } from "@grantflow/core"
 * const fuse = Providers.cryptofuse({ clientId, clientSecret })
 * const program = OAuth.clientCredentials(fuse, { scopes: ["read"] }).pipe(
 *   Effect.catchTag("OAuthServerError", (e) => Effect.die(e.error)),
 * )
 * await Effect.runPromise(program.pipe(Effect.provide(OAuth.layer())))
 *
 * // cached, renewed before expiry, single-flight:
 * const token = OAuth.getAccessToken(fuse, { scopes: ["read"] })
 * ```
 */
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ApiClient, type ApiClientOptions, type ApiError, type ApiRequestInit } from "./ApiClient.js"
import type * as Redacted from "effect/Redacted"
import type { ConfigError, StoreError } from "./Errors.js"
import * as MemoryRefreshLock from "./MemoryRefreshLock.js"
import * as MemoryStateStore from "./MemoryStateStore.js"
import * as MemoryTokenStore from "./MemoryTokenStore.js"
import type { Provider } from "./Provider.js"
import type { RefreshLock } from "./RefreshLock.js"
import type { StateStore } from "./StateStore.js"
import {
  type GetTokenOptions,
  type TokenError,
  TokenManager,
  type TokenManagerOptions,
} from "./TokenManager.js"
import type { TokenSet } from "./TokenSet.js"
import type { TokenStore } from "./TokenStore.js"
import { HttpTransport, type TransportOptions } from "./Transport.js"

export {
  authorize,
  createAuthorizationRequest,
  type AuthorizeOptions,
  type PreparedAuthorization,
} from "./Authorize.js"
export {
  callbackError,
  callbackParams,
  completeCallback,
  handleCallback,
  type CallbackInput,
  type CallbackQuery,
} from "./Callback.js"
export { clientCredentials, type ClientCredentialsOptions } from "./ClientCredentials.js"
export type { DeviceAuthorization, DeviceAuthorizationOptions } from "./DeviceAuthorization.js"
export type { DiscoverOptions } from "./Discovery.js"
export type { Introspection, IntrospectOptions } from "./Introspection.js"
// Loaded on first use: they need effect/Schema or effect/Schedule, which the other flows do not.
export { deviceAuthorization, discover, introspect, pollDeviceAuthorization } from "./internal/lazyFlows.js"
export { exchangeCode, type ExchangeCodeOptions } from "./ExchangeCode.js"
export { refresh, type RefreshOptions } from "./Refresh.js"
export { revoke, type RevokeOptions } from "./Revoke.js"

/** Every service the flows and the TokenManager use, in their default form. */
export type Services = HttpTransport | StateStore | TokenStore | RefreshLock | TokenManager | ApiClient

/**
 * `fetch` with the session's access token attached the provider's way: a path joins the
 * provider's API base; redirects never carry the token off the provider's origins; a refused
 * token is renewed once and the request retried once when its body can be sent again. See ApiClient.
 */
export const fetch = (
  provider: Provider,
  input: string | URL | Request,
  init?: ApiRequestInit,
): Effect.Effect<Response, ApiError, ApiClient> => ApiClient.use((c) => c.fetch(provider, input, init))

/**
 * A valid access token for a session (omitted: the client-credentials token for `scopes` on a
 * client-credentials provider, the default session on an authorization-code one): from cache while
 * fresh, renewed before expiry, one renewal at a time. See TokenManager.
 */
export const getAccessToken = (
  provider: Provider,
  options?: GetTokenOptions,
): Effect.Effect<Redacted.Redacted<string>, TokenError, TokenManager> =>
  TokenManager.use((m) => m.getAccessToken(provider, options))

/** Like `getAccessToken`, with the whole token set (scopes, expiry, id token). */
export const getTokenSet = (
  provider: Provider,
  options?: GetTokenOptions,
): Effect.Effect<TokenSet, TokenError, TokenManager> =>
  TokenManager.use((m) => m.getTokenSet(provider, options))

/**
 * Stores tokens (e.g. from `handleCallback`) as a user's session, for `getAccessToken({ session })`;
 * `session` undefined: the client's default session (authorization-code providers). `reason`
 * ("login" or "set", the default) is what `onTokens` is told.
 */
export const setSession = (
  provider: Provider,
  session: string | undefined,
  tokens: TokenSet,
  reason?: "login" | "set",
): Effect.Effect<void, StoreError | ConfigError, TokenManager> =>
  TokenManager.use((m) => m.setSession(provider, session, tokens, reason))

/** Forgets a user's session (does not revoke); `session` omitted: the default session. */
export const clearSession = (
  provider: Provider,
  session?: string,
): Effect.Effect<void, StoreError | ConfigError, TokenManager> =>
  TokenManager.use((m) => m.clearSession(provider, session))

/** The default ky transport, fresh in-memory state store, token store and refresh lock, and a TokenManager over them. */
export const layer = (
  options: TransportOptions & ApiClientOptions & { readonly tokenManager?: TokenManagerOptions } = {},
): Layer.Layer<Services> =>
  Layer.provideMerge(
    Layer.provideMerge(ApiClient.layer(options), TokenManager.layer(options.tokenManager)),
    Layer.mergeAll(
      HttpTransport.layer(options),
      MemoryStateStore.layer(),
      MemoryTokenStore.layer(),
      MemoryRefreshLock.layer(),
    ),
  )
