/**
 * The in-process StateStore: pending authorizations in a Map, taken at most once, dropped when
 * expired. Right for one process; use `@grantflow/redis` when callbacks can reach another instance.
 *
 * @example
 * ```ts
 * import { MemoryStateStore } from "@grantflow/core"
 * const layer = MemoryStateStore.layer()
 * ```
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { PendingAuthorization } from "./PendingAuthorization.js"
import { StateStore } from "./StateStore.js"

export interface MemoryStateStoreOptions {
  /** Upper bound on pending requests kept; the oldest are dropped first (default 10 000). */
  readonly maxEntries?: number | undefined
}

/** A fresh in-memory StateStore. */
export const make = (options: MemoryStateStoreOptions = {}): StateStore["Service"] => {
  const maxEntries = options.maxEntries ?? 10_000
  const pending = new Map<string, PendingAuthorization>()
  const sweep = (now: number) => {
    for (const [state, p] of pending) if (p.expiresAt <= now) pending.delete(state)
    // Map iteration is insertion order, so this drops the oldest.
    for (const state of pending.keys()) {
      if (pending.size <= maxEntries) break
      pending.delete(state)
    }
  }
  return StateStore.of({
    put: (p) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        pending.set(p.state, p)
        if (pending.size > maxEntries || pending.size % 256 === 0) sweep(now)
      }),
    take: (state) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const p = pending.get(state)
        // get + delete with no yield in between: atomic within the process.
        pending.delete(state)
        return p === undefined || p.expiresAt <= now ? Option.none() : Option.some(p)
      }),
  })
}

/** A Layer with a fresh in-memory StateStore. */
export const layer = (options: MemoryStateStoreOptions = {}): Layer.Layer<StateStore> =>
  Layer.sync(StateStore, () => make(options))
