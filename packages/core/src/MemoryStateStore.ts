/**
 * The in-process StateStore: pending authorizations in a Map, taken at most once, dropped when
 * expired. Right for one process; use `@grantflow/redis` when callbacks can reach another
 * instance, or keep pending requests in the browser's session with the pure steps
 * (`createAuthorizationRequest` / `completeCallback`), which store nothing on the server.
 *
 * A pending login is never evicted to make room for a newer one: anyone can start logins, so
 * evicting the oldest would let a stranger's 10,000 `authorizationUrl` calls cancel a real user's
 * login. When `maxEntries` unexpired requests wait, a new `put` fails with `StoreError` instead
 * (the flood delays new logins until its own requests expire; it cancels none).
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
import { StoreError } from "./Errors.js"
import type { PendingAuthorization } from "./PendingAuthorization.js"
import { StateStore } from "./StateStore.js"

export interface MemoryStateStoreOptions {
  /**
   * Upper bound on unexpired pending requests (default 100 000, a few tens of MB); beyond it new
   * requests are refused with `StoreError`, and waiting ones are kept until taken or expired.
   */
  readonly maxEntries?: number | undefined
}

/** A fresh in-memory StateStore. */
export const make = (options: MemoryStateStoreOptions = {}): StateStore["Service"] => {
  const maxEntries = options.maxEntries ?? 100_000
  const pending = new Map<string, PendingAuthorization>()
  // The earliest expiry among the entries (or earlier): a full store with nothing expired yet
  // refuses at once, so a flood at the bound does not cost a sweep per request.
  let earliest = Number.POSITIVE_INFINITY
  // Requests expire in insertion order only when they share one TTL, so the sweep looks at all.
  const sweep = (now: number) => {
    earliest = Number.POSITIVE_INFINITY
    for (const [state, p] of pending) {
      if (p.expiresAt <= now) pending.delete(state)
      else earliest = Math.min(earliest, p.expiresAt)
    }
  }
  return StateStore.of({
    put: (p) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (pending.size >= maxEntries && earliest <= now) sweep(now)
        if (pending.size >= maxEntries) {
          return Effect.fail(
            new StoreError({
              operation: "StateStore.put",
              detail: `${maxEntries} logins are pending; none is evicted for a newer one (see MemoryStateStore)`,
            }),
          )
        }
        pending.set(p.state, p)
        earliest = Math.min(earliest, p.expiresAt)
        // Amortised: expired requests of abandoned logins go without waiting for the bound.
        if (pending.size % 1024 === 0) sweep(now)
        return Effect.void
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
