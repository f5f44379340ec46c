/**
 * The StateStore the strategy's own client is built with. Core's `authorizationUrl` puts the
 * pending request here and `handleCallback` takes it from here; the strategy moves it to and
 * from where it really lives (the browser's session, or a shared StateStore) around those two
 * calls. Entries are keyed by state, a fresh random value per request, so concurrent requests
 * never see each other's entries; nothing stays here after the request that put it.
 */
import type { PendingAuthorization, StateStore } from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

export class StateHandoff {
  /** Written by core during `authorizationUrl`, collected by the strategy right after. */
  readonly #outbox = new Map<string, PendingAuthorization>()
  /** Offered by the strategy right before `handleCallback`, taken by core during it. */
  readonly #inbox = new Map<string, PendingAuthorization>()

  readonly store: StateStore["Service"] = {
    put: (pending) =>
      Effect.sync(() => {
        this.#prune(this.#outbox)
        this.#outbox.set(pending.state, pending)
      }),
    take: (state) =>
      Effect.sync(() => {
        const pending = this.#inbox.get(state)
        this.#inbox.delete(state)
        // Expiry is core's check, so that it can say "expired" rather than "unknown".
        return pending === undefined ? Option.none() : Option.some(pending)
      }),
  }

  /** Removes and returns what core saved for `state` during `authorizationUrl`. */
  collect(state: string): PendingAuthorization | undefined {
    const pending = this.#outbox.get(state)
    this.#outbox.delete(state)
    return pending
  }

  /** Makes `pending` available to one `take`; the returned function withdraws it if core never took it. */
  offer(pending: PendingAuthorization): () => void {
    this.#inbox.set(pending.state, pending)
    return () => {
      if (this.#inbox.get(pending.state) === pending) this.#inbox.delete(pending.state)
    }
  }

  // An authorizationUrl that failed after its put would leave its entry behind; expired ones go here.
  #prune(map: Map<string, PendingAuthorization>): void {
    const now = Date.now()
    for (const [state, pending] of map) if (pending.expiresAt <= now) map.delete(state)
  }
}
