/**
 * PKCE (RFC 7636) and the random values of an authorization request, on WebCrypto
 * (`globalThis.crypto`) so the same code runs in Node and in browsers.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Pkce } from "@grantflow/core"
 * const { verifier, challenge } = await Effect.runPromise(Pkce.make("S256"))
 * ```
 */
import * as Kernel from "@grantflow/kernel/Pkce"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/** `bytes` CSPRNG bytes as base64url (32 bytes => 256 bits, 43 characters). */
export const randomToken = (bytes = 32): Effect.Effect<string> =>
  Effect.sync(() => Kernel.randomToken(bytes))

/** The S256 challenge of a verifier: `base64url(SHA-256(verifier))`. */
export const challengeS256 = (verifier: string): Effect.Effect<string> =>
  Effect.promise(() => Kernel.challengeS256(verifier))

export interface PkcePair {
  readonly verifier: Redacted.Redacted<string>
  readonly challenge: string
  readonly method: "S256" | "plain"
}

/** A fresh verifier (256 bits) and its challenge. */
export const make = (method: "S256" | "plain"): Effect.Effect<PkcePair> =>
  Effect.gen(function* () {
    const verifier = yield* randomToken(32)
    const challenge = method === "S256" ? yield* challengeS256(verifier) : verifier
    return { verifier: Redacted.make(verifier), challenge, method }
  })
