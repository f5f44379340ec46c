/**
 * Pending authorizations sealed for the browser: with the pure steps, an app can keep the
 * `pending` of `createAuthorizationRequest` in a cookie instead of a server-side session.
 * `seal` makes it one AES-256-GCM ciphertext (WebCrypto; the PKCE verifier included), `open`
 * gives it back on the callback, so no server keeps anything per login: a flood of started
 * logins costs no memory and evicts nobody, and any instance holding the keys completes any
 * login (no shared store). Keys and rotation as in `encryptedTokenStore`.
 *
 * A sealed value can be replayed by whoever holds it as long as it has not expired: set it
 * `HttpOnly; Secure; SameSite=Lax`, scoped to the callback path, and clear it on the callback (the
 * authorization code itself is single use).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PendingSeal } from "@grantflow/core"
 * const seal = PendingSeal.make({ keys: [{ id: "k1", key: process.env.LOGIN_KEY! }] })
 * // login
 * const { url, pending } = await client.createAuthorizationRequest()
 * res.cookie("login", await Effect.runPromise(seal.seal(pending)), { httpOnly: true, secure: true, sameSite: "lax" })
 * // callback: a cookie that was tampered with or sealed with an unknown key is StateMismatch "unknown"
 * const tokens = await client.completeCallback(req.query, await Effect.runPromise(seal.open(req.cookies.login)))
 * ```
 */
import * as Effect from "effect/Effect"
import type { EncryptionOptions } from "./EncryptedTokenStore.js"
import { StateMismatch, type StoreError } from "./Errors.js"
import { decodePending, encodePending, type PendingAuthorization } from "./PendingAuthorization.js"
import { keyRing } from "./internal/sealing.js"

export interface PendingSeal {
  /** The pending authorization as one sealed string (base64url and dots: cookie-safe). */
  readonly seal: (pending: PendingAuthorization) => Effect.Effect<string, StoreError>
  /** The pending authorization back; `StateMismatch` ("unknown") for anything we did not seal. */
  readonly open: (sealed: string) => Effect.Effect<PendingAuthorization, StateMismatch>
}

const CONTEXT = "pending"

/** Throws `ConfigError` at once for a malformed key. */
export const make = (options: EncryptionOptions): PendingSeal => {
  const ring = keyRing(options.keys)
  return {
    seal: (pending) => ring.seal(encodePending(pending), CONTEXT, "PendingSeal.seal"),
    open: (sealed) =>
      ring.open(sealed, CONTEXT, "PendingSeal.open").pipe(
        Effect.flatMap((plain) =>
          Effect.try({
            try: () => decodePending(plain),
            catch: () => new StateMismatch({ reason: "unknown" }),
          }),
        ),
        // Whatever the browser sent, a value we cannot open belongs to no login we started.
        Effect.catchTag("StoreError", () => Effect.fail(new StateMismatch({ reason: "unknown" }))),
      ),
  }
}
