/**
 * `TokenStore` on Redis: each session's TokenSet as one JSON string (`encodeTokenSet`) under
 * `<prefix>token:<session>`. A token set without a refresh token expires from Redis shortly after
 * its access token does; one with a refresh token is a session that must outlive its access
 * token, so it is kept until deleted (or for `sessionTtlMs` after its last write).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenStore } from "@grantflow/core"
 * import { RedisTokenStore } from "@grantflow/redis"
 *
 * const program = TokenStore.use((store) => store.get("github:app:user:42"))
 * Effect.runPromise(program.pipe(Effect.provide(RedisTokenStore.layer({ url: "redis://127.0.0.1:6379" }))))
 * ```
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { decodeTokenSet, encodeTokenSet, TokenStore, type StoreError, type TokenSet } from "@grantflow/core"
import { connect, type RedisClientLike, type RedisConnection, type RedisStoreOptions } from "./RedisClient.js"
import { asString, command, decodeWith, defaultPrefix, defaultTimeoutMs } from "./internal/command.js"

/** Options of the Redis TokenStore. */
export interface RedisTokenStoreOptions extends RedisStoreOptions {
  /**
   * How long a token set without a refresh token stays after its access token expired (covers
   * clock skew between instances). Default 60000.
   */
  readonly expiryGraceMs?: number | undefined
  /**
   * Expiry of a token set that has a refresh token, counted from its last write (a sliding window:
   * each refresh extends it). Default: none, such sessions stay until deleted. It is never shorter
   * than the access token's lifetime plus `expiryGraceMs`.
   */
  readonly sessionTtlMs?: number | undefined
}

/** How long Redis keeps `tokens`, in milliseconds from `now`; undefined keeps it until deleted. */
export const tokenTtlMs = (
  tokens: TokenSet,
  now: number,
  options: RedisTokenStoreOptions = {},
): number | undefined => {
  const grace = options.expiryGraceMs ?? 60_000
  const untilExpiry =
    tokens.expiresAt === undefined ? undefined : Math.max(tokens.expiresAt.getTime() - now, 0) + grace
  if (tokens.refreshToken !== undefined) {
    if (options.sessionTtlMs === undefined) return undefined
    return Math.max(options.sessionTtlMs, untilExpiry ?? 0, 1)
  }
  if (untilExpiry === undefined) return options.sessionTtlMs
  return Math.max(untilExpiry, 1)
}

/**
 * The TokenStore implementation over a connected client you own, for use without Effect layers
 * (e.g. as `createOAuthClient`'s `tokenStore`).
 */
export const redisTokenStore = (
  client: RedisClientLike,
  options: RedisTokenStoreOptions = {},
): TokenStore["Service"] => {
  const prefix = `${options.prefix ?? defaultPrefix}token:`
  const timeoutMs = options.commandTimeoutMs ?? defaultTimeoutMs
  return TokenStore.of({
    get: (key) =>
      command("TokenStore.get", timeoutMs, () => client.get(prefix + key)).pipe(
        Effect.flatMap((reply): Effect.Effect<Option.Option<TokenSet>, StoreError> => {
          const raw = asString(reply)
          return raw === undefined
            ? Effect.succeed(Option.none())
            : decodeWith("TokenStore.get", decodeTokenSet, raw).pipe(Effect.map(Option.some))
        }),
      ),
    set: (key, tokens) =>
      Effect.suspend(() => {
        const value = encodeTokenSet(tokens)
        const ttl = tokenTtlMs(tokens, Date.now(), options)
        return command("TokenStore.set", timeoutMs, () =>
          client.set(
            prefix + key,
            value,
            ttl === undefined ? undefined : { expiration: { type: "PX", value: ttl } },
          ),
        )
      }).pipe(Effect.asVoid),
    delete: (key) =>
      command("TokenStore.delete", timeoutMs, () => client.del(prefix + key)).pipe(Effect.asVoid),
  })
}

/** A Layer providing `TokenStore` on Redis; with `url` it owns the connection and closes it with the scope. */
export const layer = (
  options: RedisConnection & RedisTokenStoreOptions,
): Layer.Layer<TokenStore, StoreError> =>
  Layer.effect(
    TokenStore,
    Effect.map(options.client ? Effect.succeed(options.client) : connect(options.url, options), (client) =>
      redisTokenStore(client, options),
    ),
  )
