/**
 * When a cached token is renewed: a skew before its expiry (default 60 s), never more than a
 * fraction of the token's lifetime (default half), so a token that lives 30 s is not "expiring"
 * the moment it arrives and renewed on every call; minus a little per-instance jitter, so a fleet
 * of instances sharing one token does not reach for the refresh lock in lockstep.
 *
 * The lifetime is the token endpoint's own `expires_in` (kept in `TokenSet.raw`); a token set
 * without it (e.g. one built by hand for `setSession`) gets the plain skew.
 *
 * @example
 * ```ts
 * import { RefreshPolicy } from "@grantflow/core"
 * const policy = RefreshPolicy.make({ skewMs: 30_000, maxSkewFraction: 0.25 })
 * const at = policy.refreshAt(tokens, 0.5) // epoch ms at which `tokens` should be renewed
 * ```
 */
import { refreshAt } from "@grantflow/kernel/RefreshTiming"
import { ConfigError } from "./Errors.js"
import type { TokenSet } from "./TokenSet.js"
import { lifetimeSeconds } from "@grantflow/kernel/Lifetime"

/** Tuning of the refresh point; every field has a default. */
export interface RefreshPolicyOptions {
  /** Renew this many milliseconds before expiry (default 60 000). */
  readonly skewMs?: number | undefined
  /** The skew is at most this fraction of the token's lifetime, from 0.1 to 0.5 (default 0.5). */
  readonly maxSkewFraction?: number | undefined
  /** Up to this fraction of the skew is shaved off per instance, from 0 to 0.5 (default 0.1). */
  readonly jitterFraction?: number | undefined
}

/** A validated policy (see `make`). */
export interface RefreshPolicy {
  readonly skewMs: number
  readonly maxSkewFraction: number
  readonly jitterFraction: number
  /**
   * Epoch milliseconds from which `tokens` should be renewed (`Infinity` when it does not expire).
   * `jitter` in [0, 1) picks the point inside the jitter band; an instance keeps one per session.
   */
  readonly refreshAt: (tokens: TokenSet, jitter: number) => number
}

/** The token's lifetime in milliseconds as its server stated it (`expires_in`), when known. */
export const lifetimeMs = (tokens: TokenSet): number | undefined => {
  const seconds = lifetimeSeconds(tokens.raw["expires_in"])
  return seconds === undefined ? undefined : seconds * 1000
}

const inRange = (
  name: string,
  value: number | undefined,
  min: number,
  max: number,
  fallback: number,
): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError({ reason: `${name} must be a number from ${min} to ${max}` })
  }
  return value
}

/** A policy; throws ConfigError for values out of range. */
export const make = (options: RefreshPolicyOptions = {}): RefreshPolicy => {
  const skewMs = inRange("refresh skewMs", options.skewMs, 0, 24 * 60 * 60 * 1000, 60_000)
  const maxSkewFraction = inRange("refresh maxSkewFraction", options.maxSkewFraction, 0.1, 0.5, 0.5)
  const jitterFraction = inRange("refresh jitterFraction", options.jitterFraction, 0, 0.5, 0.1)
  return {
    skewMs,
    maxSkewFraction,
    jitterFraction,
    refreshAt: (tokens, jitter) =>
      refreshAt(
        tokens.expiresAt?.getTime(),
        lifetimeMs(tokens),
        { skewMs, maxSkewFraction, jitterFraction },
        jitter,
      ),
  }
}

/** The default policy: 60 s skew, at most half the lifetime, up to 10 % jitter. */
export const defaultPolicy: RefreshPolicy = /* @__PURE__ */ make()
