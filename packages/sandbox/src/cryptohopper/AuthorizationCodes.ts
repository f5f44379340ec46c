import type { PkceMethod } from "../Pkce.js"
import { randomHex } from "../Random.js"

/** A Cryptohopper authorization code and everything it is bound to. */
export interface AuthorizationCode {
  readonly value: string
  readonly clientId: string
  /** The redirect URI the code was delivered to. */
  readonly redirectUri: string
  /** Whether the authorization request named it (then the token request must repeat it, RFC 6749 §4.1.3). */
  readonly redirectUriSent: boolean
  readonly scopes: ReadonlyArray<string>
  readonly codeChallenge: string | undefined
  readonly codeChallengeMethod: PkceMethod | undefined
  readonly expiresAt: number
  /** Shared by every token this code leads to, so a replay can revoke them (RFC 6749 §4.1.2). */
  readonly grantId: string
  consumed: boolean
}

/** Codes are kept this long after expiry so a late replay is still recognised as a replay. */
const RETAIN_AFTER_EXPIRY_MS = 10 * 60 * 1000
const PRUNE_EVERY = 1000

/** In-memory store of one sandbox's authorization codes. */
export class AuthorizationCodes {
  readonly #codes = new Map<string, AuthorizationCode>()
  readonly #now: () => number
  #issuedSincePrune = 0

  constructor(now: () => number) {
    this.#now = now
  }

  issue(
    code: Omit<AuthorizationCode, "value" | "grantId" | "consumed" | "expiresAt">,
    ttlSeconds: number,
  ): AuthorizationCode {
    this.#maybePrune()
    const issued: AuthorizationCode = {
      ...code,
      value: randomHex(20),
      grantId: randomHex(16),
      expiresAt: this.#now() + ttlSeconds * 1000,
      consumed: false,
    }
    this.#codes.set(issued.value, issued)
    return issued
  }

  find(value: string): AuthorizationCode | undefined {
    return this.#codes.get(value)
  }

  isExpired(code: AuthorizationCode): boolean {
    return this.#now() >= code.expiresAt
  }

  #maybePrune(): void {
    if (++this.#issuedSincePrune < PRUNE_EVERY) return
    this.#issuedSincePrune = 0
    const cutoff = this.#now() - RETAIN_AFTER_EXPIRY_MS
    for (const [value, code] of this.#codes) if (code.expiresAt < cutoff) this.#codes.delete(value)
  }
}
