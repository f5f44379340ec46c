/**
 * Where pending authorization requests wait for their callback. `take` must be atomic: a state
 * is handed out once, ever, so a replayed callback finds nothing. Memory by default;
 * `@grantflow/redis` shares it across instances.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { StoreError } from "./Errors.js"
import type { PendingAuthorization } from "./PendingAuthorization.js"

export class StateStore extends Context.Service<
  StateStore,
  {
    /** Saves `pending` under `pending.state` until `pending.expiresAt`. */
    readonly put: (pending: PendingAuthorization) => Effect.Effect<void, StoreError>
    /** Removes and returns the pending request; `None` when unknown, already taken or expired. */
    readonly take: (state: string) => Effect.Effect<Option.Option<PendingAuthorization>, StoreError>
  }
>()("@grantflow/core/StateStore") {}
