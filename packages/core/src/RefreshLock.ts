/**
 * Mutual exclusion for refreshing one session: while one holder refreshes, others wait and then
 * read the refreshed token from the TokenStore instead of refreshing again (a rotated refresh
 * token used twice kills the session). In memory by default; across processes with
 * `@grantflow/redis` (token-fenced, expiring, released only by its owner).
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { StoreError } from "./Errors.js"

export class RefreshLock extends Context.Service<
  RefreshLock,
  {
    /**
     * Runs `effect` while holding the lock for `key`; waits (up to `options.waitMs`) while another
     * holder has it. The lock expires after `options.ttlMs` even if its holder dies.
     */
    readonly withLock: <A, E, R>(
      key: string,
      effect: Effect.Effect<A, E, R>,
      options?: { readonly ttlMs?: number; readonly waitMs?: number },
    ) => Effect.Effect<A, E | StoreError, R>
    /** `true` for a lock that only this process sees (the in-memory one): it cannot guard a shared store. */
    readonly processLocal?: boolean | undefined
  }
>()("@grantflow/core/RefreshLock") {}
