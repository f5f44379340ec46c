/**
 * The flows as Effects with typed error channels, for Effect users. Each needs an HttpTransport,
 * and `authorize` / `handleCallback` a StateStore; `OAuth.layer()` provides the defaults
 * (ky transport, memory stores).
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
 * ```
 */
import * as Layer from "effect/Layer"
import * as MemoryRefreshLock from "./MemoryRefreshLock.js"
import * as MemoryStateStore from "./MemoryStateStore.js"
import * as MemoryTokenStore from "./MemoryTokenStore.js"
import type { RefreshLock } from "./RefreshLock.js"
import type { StateStore } from "./StateStore.js"
import type { TokenStore } from "./TokenStore.js"
import { HttpTransport, type TransportOptions } from "./Transport.js"

export { authorize, type AuthorizeOptions } from "./Authorize.js"
export { callbackError, callbackParams, handleCallback, type CallbackInput } from "./Callback.js"
export { clientCredentials, type ClientCredentialsOptions } from "./ClientCredentials.js"
export { discover, type DiscoverOptions } from "./Discovery.js"
export { exchangeCode, type ExchangeCodeOptions } from "./ExchangeCode.js"
export { refresh, type RefreshOptions } from "./Refresh.js"
export { revoke, type RevokeOptions } from "./Revoke.js"

/** Every service the flows and the TokenManager use, in their default form. */
export type Services = HttpTransport | StateStore | TokenStore | RefreshLock

/** The default ky transport plus fresh in-memory state store, token store and refresh lock. */
export const layer = (options: TransportOptions = {}): Layer.Layer<Services> =>
  Layer.mergeAll(
    HttpTransport.layer(options),
    MemoryStateStore.layer(),
    MemoryTokenStore.layer(),
    MemoryRefreshLock.layer(),
  )
