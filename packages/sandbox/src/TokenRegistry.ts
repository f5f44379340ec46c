import type { ProviderName } from "./Provider.js"

/** An access or refresh token the sandbox issued. */
export interface IssuedToken {
  readonly value: string
  readonly kind: "access" | "refresh"
  readonly provider: ProviderName
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** Milliseconds since the epoch; undefined for tokens that never expire (refresh tokens). */
  expiresAt: number | undefined
  /** Every token born from one authorization shares it, so a replayed code can revoke them all. */
  readonly grantId: string
  revoked: boolean
}

/** What a presented token turned out to be. */
export type TokenCheck =
  | { readonly status: "valid"; readonly token: IssuedToken }
  | { readonly status: "expired"; readonly token: IssuedToken }
  | { readonly status: "revoked"; readonly token: IssuedToken }
  | { readonly status: "unknown" }

/** Revoked tokens, and tokens expired this long ago, are forgotten so long benchmarks do not grow memory. */
const FORGET_AFTER_MS = 60 * 60 * 1000
const PRUNE_EVERY = 10_000

/** In-memory store of the tokens one sandbox instance issued. */
export class TokenRegistry {
  readonly #tokens = new Map<string, IssuedToken>()
  readonly #now: () => number
  #issuedSincePrune = 0

  constructor(now: () => number) {
    this.#now = now
  }

  issue(token: Omit<IssuedToken, "revoked">): IssuedToken {
    if (++this.#issuedSincePrune >= PRUNE_EVERY) this.#prune()
    const issued: IssuedToken = { ...token, revoked: false }
    this.#tokens.set(issued.value, issued)
    return issued
  }

  check(value: string, kind: IssuedToken["kind"], provider: ProviderName): TokenCheck {
    const token = this.#tokens.get(value)
    if (!token || token.kind !== kind || token.provider !== provider) return { status: "unknown" }
    if (token.revoked) return { status: "revoked", token }
    if (token.expiresAt !== undefined && this.#now() >= token.expiresAt) return { status: "expired", token }
    return { status: "valid", token }
  }

  find(value: string, provider: ProviderName): IssuedToken | undefined {
    const token = this.#tokens.get(value)
    return token?.provider === provider ? token : undefined
  }

  revoke(token: IssuedToken): void {
    token.revoked = true
  }

  /** Revokes every token (access and refresh) that came from one authorization grant. */
  revokeGrant(grantId: string, kind?: IssuedToken["kind"]): number {
    let count = 0
    for (const token of this.#tokens.values()) {
      if (token.grantId === grantId && (kind === undefined || token.kind === kind) && !token.revoked) {
        token.revoked = true
        count++
      }
    }
    return count
  }

  /** Makes every access token issued so far expired as of now. */
  expireAccessTokens(): void {
    const now = this.#now()
    for (const token of this.#tokens.values()) {
      if (token.kind === "access") token.expiresAt = Math.min(token.expiresAt ?? now, now)
    }
  }

  #prune(): void {
    this.#issuedSincePrune = 0
    const cutoff = this.#now() - FORGET_AFTER_MS
    for (const [value, token] of this.#tokens) {
      // A forgotten token reads as unknown: the same 401 or invalid_grant a revoked or expired one gets.
      if (token.revoked || (token.expiresAt !== undefined && token.expiresAt < cutoff))
        this.#tokens.delete(value)
    }
  }

  get size(): number {
    return this.#tokens.size
  }
}
