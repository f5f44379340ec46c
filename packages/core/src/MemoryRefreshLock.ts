/**
 * The in-process RefreshLock: one semaphore per key. A holder cannot die without releasing
 * inside one process (interruption releases), so `ttlMs` does not apply; `waitMs` bounds the wait.
 *
 * @example
 * ```ts
 * import { MemoryRefreshLock } from "@grantflow/core"
 * const layer = MemoryRefreshLock.layer()
 * ```
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Semaphore from "effect/Semaphore"
import { StoreError } from "./Errors.js"
import { RefreshLock } from "./RefreshLock.js"

const DEFAULT_WAIT_MS = 30_000

/** A fresh in-memory RefreshLock. */
export const make = (): RefreshLock["Service"] => {
  const locks = new Map<string, { readonly semaphore: Semaphore.Semaphore; users: number }>()
  return RefreshLock.of({
    processLocal: true,
    withLock: (key, effect, options) =>
      Effect.flatMap(Semaphore.make(1), (fresh) => {
        // Looked up and registered in one step after the (cheap) allocation, so two callers of one
        // key always share one semaphore.
        let entry = locks.get(key)
        if (entry === undefined) {
          entry = { semaphore: fresh, users: 0 }
          locks.set(key, entry)
        }
        const held = entry
        held.users++
        const waitMs = options?.waitMs ?? DEFAULT_WAIT_MS
        const acquire = Semaphore.take(held.semaphore, 1).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(waitMs),
            orElse: () =>
              Effect.fail(new StoreError({ operation: "refreshLock.acquire", detail: `not acquired within ${waitMs} ms` })),
          }),
        )
        // The permit is released exactly when it was taken, whatever interrupts us and when.
        return Effect.uninterruptibleMask((restore) =>
          restore(acquire).pipe(
            Effect.flatMap(() => restore(effect).pipe(Effect.ensuring(Semaphore.release(held.semaphore, 1)))),
          ),
        ).pipe(
          Effect.ensuring(
            Effect.sync(() => {
              held.users--
              if (held.users === 0 && locks.get(key) === held) locks.delete(key)
            }),
          ),
        )
      }),
  })
}

/** A Layer with a fresh in-memory RefreshLock. */
export const layer = (): Layer.Layer<RefreshLock> => Layer.sync(RefreshLock, make)
