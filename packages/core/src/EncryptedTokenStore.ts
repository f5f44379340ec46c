/**
 * Tokens encrypted at rest, in any TokenStore: `encryptedTokenStore(inner, { keys })` seals each
 * token set (access, refresh and id token, scopes, every other field) as one AES-256-GCM
 * ciphertext before `inner` sees it, and opens it on the way back. Only what a store needs for
 * its expiry stays readable: `expiresAt`, and whether there is a refresh token (its value is a
 * placeholder). A record is bound to its session key, so one copied under another session does
 * not open.
 *
 * Keys rotate: values are sealed with the first key and opened with any listed key, so put a new
 * key first, keep the old one listed until every session was written again (each refresh
 * rewrites it), then drop it. A record that was tampered with, moved, not encrypted, or sealed
 * with a key no longer listed fails with `StoreError` (the session then needs a new login).
 *
 * @example
 * ```ts
 * import { createOAuthClient, encryptedTokenStore, MemoryTokenStore } from "@grantflow/core"
 * const tokenStore = encryptedTokenStore(MemoryTokenStore.make(), {
 *   keys: [{ id: "2026-12", key: process.env.TOKEN_KEY! }], // 32 bytes, base64: `openssl rand -base64 32`
 * })
 * const client = createOAuthClient(provider, { tokenStore })
 * ```
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { StoreError } from "./Errors.js"
import { decodeTokenSet, encodeTokenSet, type TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"
import { type EncryptionKey, generateKey, keyRing } from "./internal/sealing.js"

export type { EncryptionKey } from "./internal/sealing.js"

export interface EncryptionOptions {
  /** The first key seals; every listed key opens. At least one. */
  readonly keys: ReadonlyArray<EncryptionKey>
}

/** Stands in for the refresh token in the stored record, so stores still see that there is one. */
const SEALED = "sealed"

/** A fresh random 32-byte key as base64url, for `keys: [{ id, key }]`. */
export const generateEncryptionKey = (): string => generateKey()

/**
 * Wraps `inner` so it only ever holds sealed token sets. Throws `ConfigError` at once when a key
 * is malformed (not 32 bytes, bad id, duplicate id).
 */
export const encryptedTokenStore = (
  inner: TokenStore["Service"],
  options: EncryptionOptions,
): TokenStore["Service"] => {
  const ring = keyRing(options.keys)
  const context = (key: string) => `token\u0000${key}`
  return TokenStore.of({
    // Sealing changes nothing about who else can reach the store.
    processLocal: inner.processLocal,
    get: (key) =>
      Effect.flatMap(inner.get(key), (stored) => {
        if (Option.isNone(stored)) return Effect.succeed(Option.none<TokenSet>())
        return ring.open(Redacted.value(stored.value.accessToken), context(key), "TokenStore.get").pipe(
          Effect.flatMap((plain) =>
            Effect.try({
              try: () => Option.some(decodeTokenSet(plain)),
              catch: () =>
                new StoreError({
                  operation: "TokenStore.get",
                  detail: "the decrypted record is not a token set",
                }),
            }),
          ),
        )
      }),
    set: (key, tokens) =>
      Effect.flatMap(ring.seal(encodeTokenSet(tokens), context(key), "TokenStore.set"), (sealed) =>
        inner.set(key, {
          accessToken: Redacted.make(sealed),
          tokenType: tokens.tokenType,
          expiresAt: tokens.expiresAt,
          refreshToken: tokens.refreshToken === undefined ? undefined : Redacted.make(SEALED),
          scopes: [],
          raw: {},
        }),
      ),
    delete: (key) => inner.delete(key),
  })
}
