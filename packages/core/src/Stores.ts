/**
 * The three store services a client runs on (TokenStore, StateStore, RefreshLock), assembled so
 * that multi-instance safety cannot be put together wrong by accident:
 *
 * - `stores` supplies all three at once: `stores: RedisStores.layer({ url })`.
 * - A Layer given for one service that also provides others is used for them too:
 *   `tokenStore: RedisStores.layer({ url })` brings its Redis lock along.
 * - Explicit per-service options win; whatever is still missing is in memory.
 * - A token store that is not process-local beside the in-memory RefreshLock is refused with a
 *   `ConfigError`: two instances sharing the store would each spend a rotating refresh token and
 *   log the user out. A store declares itself process-local with `processLocal: true` (the memory
 *   store does; so may a file that only this process uses).
 *
 * @example
 * ```ts
 * import { createOAuthClient } from "@grantflow/core"
 * import { RedisStores } from "@grantflow/redis"
 * const hopper = createOAuthClient(provider, { stores: RedisStores.layer({ url: process.env.REDIS_URL }) })
 * ```
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ConfigError } from "./Errors.js"
import * as MemoryRefreshLock from "./MemoryRefreshLock.js"
import * as MemoryStateStore from "./MemoryStateStore.js"
import * as MemoryTokenStore from "./MemoryTokenStore.js"
import { RefreshLock } from "./RefreshLock.js"
import { StateStore } from "./StateStore.js"
import { TokenStore } from "./TokenStore.js"

/** The services `Stores.layer` provides. */
export type StoreServices = TokenStore | StateStore | RefreshLock

/** A service given either as a Layer (e.g. `RedisStores.layer(...)`) or as a ready implementation. */
export type ServiceInput<I, S> = Layer.Layer<I, unknown> | S

/** Where a client keeps its tokens, pending authorizations and refresh lock. */
export interface StoresOptions {
  /** One Layer for all of them, e.g. `RedisStores.layer({ url })`; services it lacks are in memory. */
  readonly stores?:
    Layer.Layer<TokenStore | StateStore | RefreshLock, unknown> | Layer.Layer<TokenStore, unknown> | undefined
  readonly tokenStore?: ServiceInput<TokenStore, TokenStore["Service"]> | undefined
  readonly stateStore?: ServiceInput<StateStore, StateStore["Service"]> | undefined
  readonly refreshLock?: ServiceInput<RefreshLock, RefreshLock["Service"]> | undefined
}

/**
 * Refuses a token store that others may share beside a lock that only this process sees; the
 * reason names the fix. Undefined when the pair is safe.
 */
export const unsafePair = (
  tokenStore: TokenStore["Service"],
  refreshLock: RefreshLock["Service"],
): ConfigError | undefined =>
  refreshLock.processLocal === true && tokenStore.processLocal !== true
    ? new ConfigError({
        reason:
          "the token store may be shared with other processes, but the refresh lock is in memory: two instances " +
          "would each spend a rotating refresh token and log the user out. Give the lock that goes with the store " +
          "(`stores: RedisStores.layer({ url })` supplies token store, state store and lock together, or pass " +
          "`refreshLock`), or, if only this process ever uses the store, declare it `processLocal: true`",
      })
    : undefined

const isLayer = (u: unknown): u is Layer.Layer<never, unknown> => Layer.isLayer(u)

/**
 * Checks what can be checked without building anything: the plain implementations. Throws the
 * ConfigError of `unsafePair` (for `createOAuthClient`, which validates its options up front).
 */
export const checkPlain = (options: StoresOptions): void => {
  if (options.stores !== undefined || isLayer(options.tokenStore) || isLayer(options.refreshLock)) return
  if (isLayer(options.stateStore)) return
  const error = unsafePair(
    options.tokenStore ?? MemoryTokenStore.make(),
    options.refreshLock ?? MemoryRefreshLock.make(),
  )
  if (error !== undefined) throw error
}

/** The three services from `options` (see the module doc); fails with ConfigError for an unsafe pair. */
export const layer = (options: StoresOptions = {}): Layer.Layer<StoreServices, unknown> =>
  Layer.effectContext(
    Effect.gen(function* () {
      // Each distinct Layer is built once, even when it is given for several services.
      const built = new Map<Layer.Layer<never, unknown>, Context.Context<never>>()
      const buildOnce = Effect.fnUntraced(function* (input: unknown) {
        if (!isLayer(input)) return undefined
        let context = built.get(input)
        if (context === undefined) {
          context = yield* Layer.build(input)
          built.set(input, context)
        }
        return context
      })
      // Where a missing service is looked for: the all-in-one option first, then the token
      // store's Layer (its lock is the one that guards it), then the others.
      const sources: Array<Context.Context<never>> = []
      for (const input of [options.stores, options.tokenStore, options.refreshLock, options.stateStore]) {
        const context = yield* buildOnce(input)
        if (context !== undefined) sources.push(context)
      }
      const pick = <I, S>(
        key: Context.Key<I, S>,
        explicit: ServiceInput<I, S> | undefined,
      ): S | undefined => {
        if (explicit !== undefined && !isLayer(explicit)) return explicit as S
        const own = explicit === undefined ? undefined : built.get(explicit as Layer.Layer<never, unknown>)
        for (const context of own === undefined ? sources : [own, ...sources]) {
          const found = Context.getOrUndefined(context as Context.Context<I>, key)
          if (found !== undefined) return found
        }
        return undefined
      }
      const tokenStore = pick(TokenStore, options.tokenStore) ?? MemoryTokenStore.make()
      const stateStore = pick(StateStore, options.stateStore) ?? MemoryStateStore.make()
      const refreshLock = pick(RefreshLock, options.refreshLock) ?? MemoryRefreshLock.make()
      const unsafe = unsafePair(tokenStore, refreshLock)
      if (unsafe !== undefined) return yield* unsafe
      return Context.make(TokenStore, tokenStore).pipe(
        Context.add(StateStore, stateStore),
        Context.add(RefreshLock, refreshLock),
      )
    }),
  )
