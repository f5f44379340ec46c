/**
 * What the Redis stores need from a client, and how they get one. Any connected node-redis
 * client fits (`createClient()` from `redis` or `@redis/client`, RESP2 or RESP3, with or without
 * `keyPrefix`); the stores only call the commands below.
 *
 * @example
 * ```ts
 * import { createClient } from "redis"
 * const client = await createClient({ url: "redis://127.0.0.1:6379" }).on("error", () => {}).connect()
 * const stores = redisStores(client) // a client you pass stays yours: connect and close it yourself
 * ```
 */
import { createClient } from "redis"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { StoreError } from "@grantflow/core"

/**
 * The subset of a node-redis client the stores use. Declared structurally so a client of any
 * node-redis 5/6 flavour (modules, scripts, type mapping) can be passed without casts.
 */
export interface RedisClientLike {
  get(key: string): Promise<unknown>
  set(
    key: string,
    value: string,
    options?: {
      readonly expiration?: { readonly type: "PX"; readonly value: number }
      readonly condition?: "NX"
    },
  ): Promise<unknown>
  del(key: string): Promise<unknown>
  getDel(key: string): Promise<unknown>
  eval(script: string, options: { keys: Array<string>; arguments: Array<string> }): Promise<unknown>
  evalSha(sha1: string, options: { keys: Array<string>; arguments: Array<string> }): Promise<unknown>
  /** Used for a second connection that listens for lock releases; without it waiters only poll. */
  duplicate?(): RedisSubscriberLike
}

/** A connection that can subscribe (what `client.duplicate()` returns). */
export interface RedisSubscriberLike {
  on(event: "error", listener: (error: Error) => void): unknown
  connect(): Promise<unknown>
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  unref?(): void
  destroy(): void
}

/** Where the stores find Redis: a connected client you own, or a URL the layer connects to and closes. */
export type RedisConnection =
  | { readonly client: RedisClientLike; readonly url?: undefined }
  | { readonly url: string; readonly client?: undefined }

/** Options every Redis store shares. */
export interface RedisStoreOptions {
  /** Prepended to every key and channel the stores use. Default `"grantflow:"`. */
  readonly prefix?: string | undefined
  /**
   * A command without an answer after this many milliseconds fails with `StoreError` instead of
   * waiting (node-redis queues commands while it reconnects). Default 5000.
   */
  readonly commandTimeoutMs?: number | undefined
}

/**
 * Connects to `url` for the lifetime of the scope. Unlike node-redis' defaults, the first
 * connection gives up after a few refused attempts (a wrong URL must fail, not hang), and while a
 * live connection is down commands fail at once with `StoreError` (no offline queue), since a
 * token lookup that waits for Redis to come back is worse than a clear error.
 */
export const connect = (
  url: string,
  options: RedisStoreOptions = {},
): Effect.Effect<RedisClientLike, StoreError, Scope.Scope> => {
  const timeoutMs = options.commandTimeoutMs ?? 5000
  return Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        let established = false
        const client = createClient({
          url,
          disableOfflineQueue: true,
          socket: {
            connectTimeout: timeoutMs,
            reconnectStrategy: (retries, cause) =>
              !established && retries >= 2 ? cause : Math.min(50 * 2 ** retries, 2000),
          },
        })
        // node-redis emits every socket failure as an `error` event; without a listener Node would
        // crash the process. Failures reach callers as rejected commands instead.
        client.on("error", () => {})
        try {
          await client.connect()
        } catch (error) {
          client.destroy()
          throw error
        }
        established = true
        return client
      },
      catch: (error) => new StoreError({ operation: "connect", detail: describeError(error) }),
    }),
    (client) => Effect.promise(() => client.close().catch(() => undefined)),
  )
}

/** The error's class and message, shortened; Redis error messages carry no stored values. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const text = `${error.name === "Error" ? error.constructor.name : error.name}: ${error.message}`
    return text.length > 200 ? `${text.slice(0, 200)}…` : text
  }
  return "unknown error"
}
