import type { TokenSet } from "../TokenSet.js"

/**
 * Where a read or a renewal of one session writes its result. A write lands only while the slot
 * is still the session's current one: an invalidation of that session (`setSession`,
 * `clearSession`, a refused token) replaces it, so a read that started before a logout cannot
 * resurrect the session here, and other sessions' reads in progress are not affected.
 */
export interface MemoSlot {
  tokens: TokenSet | undefined
  /** Epoch ms from which the tokens are no longer served (the renewal point). */
  refreshAt: number
}

/**
 * The in-process read-through cache of the TokenStore: the last fresh token set per session, so a
 * cached `getAccessToken` does not ask the store (a Redis round trip) on every call. It never
 * holds anything the store did not hold when it was read or written, and is bounded in size
 * (least recently written out first).
 */
export class TokenMemo {
  readonly #slots = new Map<string, MemoSlot>()
  readonly #max: number

  constructor(maxEntries: number) {
    this.#max = maxEntries
  }

  /** The tokens of `key` while they are fresh at `now`. */
  peek(key: string, now: number): TokenSet | undefined {
    const slot = this.#slots.get(key)
    return slot !== undefined && now < slot.refreshAt ? slot.tokens : undefined
  }

  /** The slot a read or renewal of `key` that starts now will write to. */
  claim(key: string): MemoSlot {
    const current = this.#slots.get(key)
    if (current !== undefined) return current
    const slot: MemoSlot = { tokens: undefined, refreshAt: Number.NEGATIVE_INFINITY }
    if (this.#max <= 0) return slot
    this.#slots.set(key, slot)
    this.#evict()
    return slot
  }

  /** Stores `tokens` in `slot` if it is still the current slot of `key`. */
  remember(key: string, slot: MemoSlot, tokens: TokenSet, refreshAt: number): void {
    if (this.#slots.get(key) !== slot) return
    slot.tokens = tokens
    slot.refreshAt = refreshAt
    // Most recently written last: Maps iterate in insertion order.
    this.#slots.delete(key)
    this.#slots.set(key, slot)
  }

  /** Forgets `key` and voids the reads of it in progress (only of it). */
  invalidate(key: string): void {
    this.#slots.delete(key)
  }

  /** Forgets `key` if it holds tokens that match (e.g. a token a resource server refused). */
  invalidateIf(key: string, matches: (tokens: TokenSet) => boolean): void {
    const tokens = this.#slots.get(key)?.tokens
    if (tokens !== undefined && matches(tokens)) this.invalidate(key)
  }

  /** Forgets everything (the manager was closed). */
  clear(): void {
    this.#slots.clear()
  }

  #evict(): void {
    while (this.#slots.size > this.#max) {
      const oldest = this.#slots.keys().next()
      if (oldest.done === true) return
      this.#slots.delete(oldest.value)
    }
  }
}
