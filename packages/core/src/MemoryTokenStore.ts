/**
 * The in-process TokenStore: token sets in a Map, keyed by session, bounded.
 *
 * - **Dead sessions go**: a session whose access token has expired and that has no refresh token
 *   can never produce a token again; such sessions are dropped by a sweep that runs every 1,024
 *   writes and whenever the bound is reached (the TokenManager also deletes one it meets).
 * - **Bounded**: at most `maxSessions` sessions (default 100,000); beyond that the least recently
 *   used one (read or written) is dropped, after the dead ones.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from "@grantflow/core"
 * const layer = MemoryTokenStore.layer({ maxSessions: 10_000 })
 * ```
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ConfigError } from "./Errors.js"
import type { TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"

export interface MemoryTokenStoreOptions {
  /** Most sessions kept (default 100,000); the least recently used one goes first. */
  readonly maxSessions?: number | undefined
}

const DEFAULT_MAX_SESSIONS = 100_000
const SWEEP_EVERY_WRITES = 1024

/** Whether `tokens` can still produce an access token at `now`: fresh, or renewable. */
const alive = (tokens: TokenSet, now: number): boolean =>
  tokens.refreshToken !== undefined || tokens.expiresAt === undefined || tokens.expiresAt.getTime() > now

/** A fresh in-memory TokenStore; throws ConfigError for a bound below 1. */
export const make = (options: MemoryTokenStoreOptions = {}): TokenStore["Service"] => {
  const max = options.maxSessions ?? DEFAULT_MAX_SESSIONS
  if (!Number.isInteger(max) || max < 1) {
    throw new ConfigError({ reason: "MemoryTokenStore maxSessions must be an integer of at least 1" })
  }
  // Map order is use order: a read or write moves the key to the end.
  const sessions = new Map<string, TokenSet>()
  let writes = 0

  const sweep = (now: number) => {
    for (const [key, tokens] of sessions) if (!alive(tokens, now)) sessions.delete(key)
  }

  return TokenStore.of({
    processLocal: true,
    get: (key) =>
      Effect.sync(() => {
        const tokens = sessions.get(key)
        if (tokens === undefined) return Option.none()
        sessions.delete(key)
        sessions.set(key, tokens)
        return Option.some(tokens)
      }),
    set: (key, tokens) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        sessions.delete(key)
        sessions.set(key, tokens)
        if (++writes % SWEEP_EVERY_WRITES === 0 || sessions.size > max) sweep(now)
        while (sessions.size > max) {
          const oldest = sessions.keys().next()
          if (oldest.done === true) break
          sessions.delete(oldest.value)
        }
      }),
    delete: (key) =>
      Effect.sync(() => {
        sessions.delete(key)
      }),
  })
}

/** A Layer with a fresh in-memory TokenStore. */
export const layer = (options: MemoryTokenStoreOptions = {}): Layer.Layer<TokenStore> =>
  Layer.sync(TokenStore, () => make(options))
