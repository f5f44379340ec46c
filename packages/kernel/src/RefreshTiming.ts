/**
 * When to renew a token: `skewMs` before it expires, but at most `maxSkewFraction` of its lifetime
 * (a 60 s token is not renewed at once), minus up to `jitterFraction` of the skew per instance so
 * that many instances do not renew at the same instant.
 */

export interface RefreshTimingOptions {
  /** Renew this many milliseconds before expiry (default 60 000). */
  readonly skewMs?: number | undefined
  /** The skew is at most this fraction of the token's lifetime (default 0.5). */
  readonly maxSkewFraction?: number | undefined
  /** Up to this fraction of the skew is shaved off per instance (default 0.1). */
  readonly jitterFraction?: number | undefined
}

export const DEFAULT_SKEW_MS = 60_000
export const DEFAULT_MAX_SKEW_FRACTION = 0.5
export const DEFAULT_JITTER_FRACTION = 0.1

/**
 * Epoch milliseconds from which a token expiring at `expiresAt` should be renewed (`Infinity` when
 * it does not expire). `lifetimeMs` is its lifetime when known; `jitter` in [0, 1) picks the point
 * inside the jitter band.
 */
export const refreshAt = (
  expiresAt: number | undefined | null,
  lifetimeMs: number | undefined,
  options: RefreshTimingOptions = {},
  jitter = 0,
): number => {
  if (expiresAt === undefined || expiresAt === null) return Number.POSITIVE_INFINITY
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS
  const maxSkewFraction = options.maxSkewFraction ?? DEFAULT_MAX_SKEW_FRACTION
  const jitterFraction = options.jitterFraction ?? DEFAULT_JITTER_FRACTION
  const cap = lifetimeMs === undefined ? skewMs : Math.min(skewMs, lifetimeMs * maxSkewFraction)
  return expiresAt - cap * (1 - jitterFraction * jitter)
}
