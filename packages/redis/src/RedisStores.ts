/**
 * All three grantflow stores on one Redis connection: `TokenStore`, `StateStore` and
 * `RefreshLock`, for apps that run several instances.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RedisStores } from "@grantflow/redis"
 *
 * const StoresLive = RedisStores.layer({ url: "redis://127.0.0.1:6379", prefix: "myapp:oauth:" })
 * // provide StoresLive wherever core's flows need TokenStore, StateStore and RefreshLock
 * ```
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import {
  ConfigError,
  encryptedStateStore,
  encryptedTokenStore,
  RefreshLock,
  StateStore,
  TokenStore,
  type EncryptionKey,
  type StoreError,
} from "@grantflow/core"
import { connect, type RedisClientLike, type RedisConnection } from "./RedisClient.js"
import {
  redisRefreshLock,
  type RedisRefreshLockOptions,
  type RedisRefreshLockService,
} from "./RedisRefreshLock.js"
import { redisStateStore, type RedisStateStoreOptions } from "./RedisStateStore.js"
import { redisTokenStore, type RedisTokenStoreOptions } from "./RedisTokenStore.js"

/** Options of all three stores together. */
export interface RedisStoresOptions
  extends RedisTokenStoreOptions, RedisStateStoreOptions, RedisRefreshLockOptions {
  /**
   * Encrypt tokens and PKCE verifiers at rest (AES-256-GCM, core's `encryptedTokenStore` and
   * `encryptedStateStore`): the first key seals, every listed key opens, so put a new key first
   * to rotate. Without it Redis holds them in plain text.
   */
  readonly encryptionKeys?: ReadonlyArray<EncryptionKey> | undefined
}

/** The three store implementations over one client, shaped for `createOAuthClient`'s options. */
export interface RedisStoresServices {
  readonly tokenStore: TokenStore["Service"]
  readonly stateStore: StateStore["Service"]
  readonly refreshLock: RedisRefreshLockService
}

/**
 * The three store implementations over a connected client you own, for use without Effect
 * layers: `createOAuthClient(provider, { ...redisStores(client) })`. `refreshLock.close()` ends
 * the lock's listening connection when you shut down.
 */
export const redisStores = (
  client: RedisClientLike,
  options: RedisStoresOptions = {},
): RedisStoresServices => {
  const keys = options.encryptionKeys
  const tokenStore = redisTokenStore(client, options)
  const stateStore = redisStateStore(client, options)
  return {
    tokenStore: keys === undefined ? tokenStore : encryptedTokenStore(tokenStore, { keys }),
    stateStore: keys === undefined ? stateStore : encryptedStateStore(stateStore, { keys }),
    refreshLock: redisRefreshLock(client, options),
  }
}

/**
 * A Layer providing `TokenStore`, `StateStore` and `RefreshLock` on Redis. With `url` it opens one
 * connection (failing with `StoreError` when Redis cannot be reached) and closes it with the scope;
 * with `client` the connection stays yours. With `encryptionKeys`, tokens and verifiers are
 * encrypted at rest; a malformed key fails the layer with `ConfigError`.
 */
export const layer = (
  options: RedisConnection & RedisStoresOptions,
): Layer.Layer<TokenStore | StateStore | RefreshLock, StoreError | ConfigError> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const client = options.client ?? (yield* connect(options.url, options))
      const stores = yield* Effect.try({
        try: () => redisStores(client, options),
        catch: (e) =>
          e instanceof ConfigError ? e : new ConfigError({ reason: "encryptionKeys are invalid" }),
      })
      yield* Effect.addFinalizer(() => Effect.promise(() => stores.refreshLock.close()))
      return Context.make(TokenStore, stores.tokenStore).pipe(
        Context.add(StateStore, stores.stateStore),
        Context.add(RefreshLock, stores.refreshLock),
      )
    }),
  )
