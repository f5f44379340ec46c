/**
 * `StateStore` on Redis: each pending authorization request as one JSON string
 * (`encodePending`) under `<prefix>state:<state>`, expiring at its `expiresAt`. `take` is one
 * `GETDEL`, so of any number of concurrent callbacks with the same state (on any instance)
 * exactly one gets the request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { StateStore } from "@grantflow/core"
 * import { RedisStateStore } from "@grantflow/redis"
 *
 * const program = StateStore.use((store) => store.take(stateFromCallback))
 * Effect.runPromise(program.pipe(Effect.provide(RedisStateStore.layer({ url: "redis://127.0.0.1:6379" }))))
 * ```
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import {
  decodePending,
  encodePending,
  StateStore,
  type PendingAuthorization,
  type StoreError,
} from "@grantflow/core"
import { connect, type RedisClientLike, type RedisConnection, type RedisStoreOptions } from "./RedisClient.js"
import { asString, command, decodeWith, defaultPrefix, defaultTimeoutMs } from "./internal/command.js"

/** Options of the Redis StateStore. */
export interface RedisStateStoreOptions extends RedisStoreOptions {}

/**
 * The StateStore implementation over a connected client you own, for use without Effect layers
 * (e.g. as `createOAuthClient`'s `stateStore`).
 */
export const redisStateStore = (
  client: RedisClientLike,
  options: RedisStateStoreOptions = {},
): StateStore["Service"] => {
  const prefix = `${options.prefix ?? defaultPrefix}state:`
  const timeoutMs = options.commandTimeoutMs ?? defaultTimeoutMs
  return StateStore.of({
    put: (pending) =>
      Effect.suspend(() => {
        const ttl = pending.expiresAt - Date.now()
        // Already expired: storing it would only hand out a request `take` must refuse anyway.
        if (ttl <= 0) return Effect.void
        const value = encodePending(pending)
        return command("StateStore.put", timeoutMs, () =>
          client.set(prefix + pending.state, value, { expiration: { type: "PX", value: ttl } }),
        ).pipe(Effect.asVoid)
      }),
    take: (state) =>
      command("StateStore.take", timeoutMs, () => client.getDel(prefix + state)).pipe(
        Effect.flatMap((reply): Effect.Effect<Option.Option<PendingAuthorization>, StoreError> => {
          const raw = asString(reply)
          if (raw === undefined) return Effect.succeed(Option.none())
          return decodeWith("StateStore.take", decodePending, raw).pipe(
            // Redis expires keys within a millisecond, but clocks of instances differ: check too.
            Effect.map((pending) => (pending.expiresAt > Date.now() ? Option.some(pending) : Option.none())),
          )
        }),
      ),
  })
}

/** A Layer providing `StateStore` on Redis; with `url` it owns the connection and closes it with the scope. */
export const layer = (
  options: RedisConnection & RedisStateStoreOptions,
): Layer.Layer<StateStore, StoreError> =>
  Layer.effect(
    StateStore,
    Effect.map(options.client ? Effect.succeed(options.client) : connect(options.url, options), (client) =>
      redisStateStore(client, options),
    ),
  )
