/**
 * `RefreshLock` on Redis, so that of all instances of an app exactly one refreshes a given session
 * at a time (a rotated refresh token used twice kills the session).
 *
 * - Acquire: `SET <prefix>lock:<key> <random token> NX PX ttl`. The lock expires by itself, so a
 *   holder that dies (crash, kill -9, lost network) blocks the others for at most `ttlMs`.
 * - While the work runs, the holder extends the expiry every `ttlMs / 3` if the lock is still its
 *   own, so slow work is not overtaken by a second holder; a dead holder extends nothing.
 * - Release: a Lua script deletes the key only if it still holds our token (fencing), so a holder
 *   whose lock already expired and passed to someone else cannot release the new owner's lock.
 *   It then publishes the release, and waiters retry at once; otherwise they poll with backoff.
 * - A waiter that gets no lock within `waitMs` fails with `StoreError` (detail "lock timeout").
 *
 * Waiters must re-read the TokenStore after acquiring: the holder before them has most likely
 * refreshed and stored the token already (core's TokenManager does this).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RefreshLock } from "@grantflow/core"
 * import { RedisRefreshLock } from "@grantflow/redis"
 *
 * const refreshOnce = RefreshLock.use((lock) => lock.withLock("github:app:user:42", Effect.log("refreshing")))
 * Effect.runPromise(refreshOnce.pipe(Effect.provide(RedisRefreshLock.layer({ url: "redis://127.0.0.1:6379" }))))
 * ```
 */
import { randomBytes } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { RefreshLock, StoreError } from "@grantflow/core"
import { connect, type RedisClientLike, type RedisConnection, type RedisStoreOptions } from "./RedisClient.js"
import { command, defaultPrefix, defaultTimeoutMs, runScript, script } from "./internal/command.js"
import { ReleaseNotifier } from "./internal/ReleaseNotifier.js"

/** Options of the Redis RefreshLock. */
export interface RedisRefreshLockOptions extends RedisStoreOptions {
  /** `ttlMs` when `withLock` is called without one: how long a dead holder blocks the lock. Default 10000. */
  readonly lockTtlMs?: number | undefined
  /** `waitMs` when `withLock` is called without one: how long a waiter waits. Default 15000. */
  readonly lockWaitMs?: number | undefined
  /** Extend the lock while its work runs (default true); false lets it expire after `ttlMs` regardless. */
  readonly lockRenewal?: boolean | undefined
  /**
   * Listen for releases on a second connection (`client.duplicate()`) so waiters wake at once
   * (default true); false makes waiters only poll.
   */
  readonly lockNotify?: boolean | undefined
}

/** The RefreshLock implementation plus `close()`, which ends its listening connection (if one was opened). */
export interface RedisRefreshLockService extends Readonly<RefreshLock["Service"]> {
  close(): Promise<void>
}

const releaseScript = script(`if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  redis.call("PUBLISH", ARGV[2], ARGV[3])
  return 1
end
return 0`)

const extendScript = script(`if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

const firstPollMs = 5
const maxPollMs = 250

/**
 * The RefreshLock implementation over a connected client you own, for use without Effect layers
 * (e.g. as `createOAuthClient`'s `refreshLock`). Call `close()` when done if waiters may have
 * opened the listening connection (it does not keep the process alive either way).
 */
export const redisRefreshLock = (
  client: RedisClientLike,
  options: RedisRefreshLockOptions = {},
): RedisRefreshLockService => {
  const prefix = options.prefix ?? defaultPrefix
  const timeoutMs = options.commandTimeoutMs ?? defaultTimeoutMs
  const notifier =
    options.lockNotify === false ? undefined : new ReleaseNotifier(client, `${prefix}lock-released`)
  const channel = notifier?.channel ?? `${prefix}lock-released`

  const tryAcquire = (redisKey: string, token: string, ttlMs: number) =>
    command("RefreshLock.acquire", timeoutMs, () =>
      client.set(redisKey, token, { expiration: { type: "PX", value: ttlMs }, condition: "NX" }),
    ).pipe(
      Effect.map((reply) => reply !== null && reply !== undefined),
      // An answer lost to interruption would leave a lock nobody releases until it expires.
      Effect.uninterruptible,
    )

  const waitForRelease = (key: string, ms: number): Effect.Effect<void> =>
    notifier === undefined
      ? Effect.sleep(ms)
      : Effect.raceFirst(
          Effect.sleep(ms),
          Effect.callback<void>((resume) => {
            const stop = notifier.listen(key, () => resume(Effect.void))
            return Effect.sync(stop)
          }),
        )

  const acquire = (redisKey: string, ttlMs: number, waitMs: number) =>
    Effect.gen(function* () {
      const token = randomBytes(16).toString("base64url")
      const deadline = Date.now() + waitMs
      let pollMs = firstPollMs
      while (true) {
        const seq = notifier?.seq ?? 0
        if (yield* tryAcquire(redisKey, token, ttlMs)) return token
        notifier?.start()
        const left = deadline - Date.now()
        if (left <= 0) {
          return yield* new StoreError({
            operation: "RefreshLock.acquire",
            detail: `lock timeout after ${waitMs} ms`,
          })
        }
        // A release heard since our attempt may have been this key's: try again at once.
        if (notifier !== undefined && notifier.seq !== seq) continue
        const jittered = pollMs * (0.75 + Math.random() * 0.5)
        yield* waitForRelease(redisKey, Math.min(jittered, left))
        pollMs = Math.min(pollMs * 2, maxPollMs)
      }
    })

  const release = (redisKey: string, token: string) =>
    command("RefreshLock.release", timeoutMs, () =>
      runScript(client, releaseScript, [redisKey], [token, channel, redisKey]),
    ).pipe(
      // A release that fails leaves the lock to expire after its ttl: nothing better to do, and the
      // work it guarded has already succeeded or failed on its own.
      Effect.ignore,
    )

  const renewForever = (redisKey: string, token: string, ttlMs: number) =>
    Effect.gen(function* () {
      const every = Math.max(Math.floor(ttlMs / 3), 1)
      while (true) {
        yield* Effect.sleep(every)
        const extended = yield* command("RefreshLock.extend", timeoutMs, () =>
          runScript(client, extendScript, [redisKey], [token, String(ttlMs)]),
        ).pipe(Effect.orElseSucceed(() => 1))
        // 0: the lock expired and someone else may hold it now; extending would steal it.
        if (extended === 0) return
      }
    })

  const service: RefreshLock["Service"] = {
    withLock: (key, effect, lockOptions) => {
      const ttlMs = lockOptions?.ttlMs ?? options.lockTtlMs ?? 10_000
      const waitMs = lockOptions?.waitMs ?? options.lockWaitMs ?? 15_000
      const redisKey = `${prefix}lock:${key}`
      const guarded = (token: string) =>
        options.lockRenewal === false
          ? effect
          : Effect.flatMap(Effect.forkChild(renewForever(redisKey, token, ttlMs)), (renewer) =>
              Effect.ensuring(effect, Fiber.interrupt(renewer)),
            )
      return Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(restore(acquire(redisKey, ttlMs, waitMs)), (token) =>
          Effect.ensuring(restore(guarded(token)), release(redisKey, token)),
        ),
      )
    },
  }
  return {
    ...RefreshLock.of(service),
    close: async () => notifier?.close(),
  }
}

/** A Layer providing `RefreshLock` on Redis; with `url` it owns the connection and closes it with the scope. */
export const layer = (
  options: RedisConnection & RedisRefreshLockOptions,
): Layer.Layer<RefreshLock, StoreError> =>
  Layer.effect(
    RefreshLock,
    Effect.gen(function* () {
      const client = options.client ?? (yield* connect(options.url, options))
      return yield* Effect.acquireRelease(
        Effect.sync(() => redisRefreshLock(client, options)),
        (lock) => Effect.promise(() => lock.close()),
      )
    }),
  )
