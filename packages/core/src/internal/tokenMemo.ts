import type { TokenSet } from "../TokenSet.js"

/** A token set this instance read or wrote, and when it must be renewed. */
export interface MemoEntry {
  readonly tokens: TokenSet
  /** Epoch ms from which the entry is no longer served (the renewal point). */
  readonly refreshAt: number
}

/**
 * The in-process read-through cache of the TokenStore: the last fresh token set per session, so a
 * cached `getAccessToken` does not ask the store (a Redis round trip) on every call. It never
 * holds anything the store did not hold when it was read or written, and is bounded in size.
 *
 * Writes that raced with an invalidation (`setSession`, `clearSession`, a refused token) are
 * dropped: every invalidation bumps `epoch`, and `remember` only stores what was read at the
 * current epoch, so a read that started before a logout cannot resurrect the session here.
 */
export class TokenMemo {
  readonly #entries = new Map<string, MemoEntry>()
  readonly #max: number
  #epoch = 0

  constructor(maxEntries: number) {
    this.#max = maxEntries
  }

  get epoch(): number {
    return this.#epoch
  }

  /** The entry of `key` while it is fresh at `now`. */
  peek(key: string, now: number): MemoEntry | undefined {
    const entry = this.#entries.get(key)
    return entry !== undefined && now < entry.refreshAt ? entry : undefined
  }

  /** Stores `entry` unless an invalidation happened since `epoch` was read. */
  remember(key: string, entry: MemoEntry, epoch: number): void {
    if (epoch !== this.#epoch || this.#max <= 0) return
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    // Oldest write first out: Maps iterate in insertion order.
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
  }

  /** Forgets `key` and voids every read in progress. */
  invalidate(key: string): void {
    this.#epoch++
    this.#entries.delete(key)
  }

  /** Forgets `key` if its entry matches (e.g. it still holds a token a resource server refused). */
  invalidateIf(key: string, matches: (tokens: TokenSet) => boolean): void {
    const entry = this.#entries.get(key)
    if (entry !== undefined && matches(entry.tokens)) this.invalidate(key)
  }
}
