import { randomHex } from "../Random.js"
import type { AuthorizationRequest } from "./AuthorizationRequest.js"

const CONSENT_TTL_MS = 10 * 60 * 1000

/**
 * Authorization requests shown on a consent page, keyed by an unguessable id that the page's
 * form posts back. Each id answers once, so a replayed or forged decision is refused.
 */
export class ConsentRequests {
  readonly #pending = new Map<string, { request: AuthorizationRequest; expiresAt: number }>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  add(request: AuthorizationRequest): string {
    const now = this.#now()
    for (const [id, entry] of this.#pending) if (entry.expiresAt <= now) this.#pending.delete(id)
    const id = randomHex(24)
    this.#pending.set(id, { request, expiresAt: now + CONSENT_TTL_MS })
    return id
  }

  /** Removes and returns the request, unless it is unknown, already answered or expired. */
  take(id: string): AuthorizationRequest | undefined {
    const entry = this.#pending.get(id)
    if (!entry) return undefined
    this.#pending.delete(id)
    return entry.expiresAt > this.#now() ? entry.request : undefined
  }
}
