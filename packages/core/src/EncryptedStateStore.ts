/**
 * Pending authorizations with their PKCE verifier encrypted at rest, in any StateStore:
 * `encryptedStateStore(inner, { keys })` seals the verifier (AES-256-GCM, bound to the request's
 * `state`) before `inner` keeps it, and opens it when the callback takes it. Same keys and
 * rotation rules as `encryptedTokenStore`; a tampered, moved or unknown-key record fails `take`
 * with `StoreError`.
 *
 * @example
 * ```ts
 * import { encryptedStateStore, MemoryStateStore } from "@grantflow/core"
 * const stateStore = encryptedStateStore(MemoryStateStore.make(), { keys: [{ id: "k1", key: process.env.TOKEN_KEY! }] })
 * ```
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { EncryptionOptions } from "./EncryptedTokenStore.js"
import type { PendingAuthorization } from "./PendingAuthorization.js"
import { StateStore } from "./StateStore.js"
import { keyRing } from "./internal/sealing.js"

/** Wraps `inner` so the verifiers it holds are sealed. Throws `ConfigError` at once for a malformed key. */
export const encryptedStateStore = (
  inner: StateStore["Service"],
  options: EncryptionOptions,
): StateStore["Service"] => {
  const ring = keyRing(options.keys)
  const context = (state: string) => `state\u0000${state}`
  return StateStore.of({
    put: (pending) =>
      pending.codeVerifier === undefined
        ? inner.put(pending)
        : Effect.flatMap(
            ring.seal(Redacted.value(pending.codeVerifier), context(pending.state), "StateStore.put"),
            (sealed) => inner.put({ ...pending, codeVerifier: Redacted.make(sealed) }),
          ),
    take: (state) =>
      Effect.flatMap(inner.take(state), (taken) => {
        if (Option.isNone(taken) || taken.value.codeVerifier === undefined) return Effect.succeed(taken)
        const pending = taken.value
        return ring
          .open(Redacted.value(pending.codeVerifier!), context(state), "StateStore.take")
          .pipe(
            Effect.map((verifier): Option.Option<PendingAuthorization> =>
              Option.some({ ...pending, codeVerifier: Redacted.make(verifier) }),
            ),
          )
      }),
  })
}
