/**
 * What a token endpoint gave us, normalised across dialects. Secrets are `Redacted`: they
 * print as `<redacted>` and `Redacted.value(set.accessToken)` reveals them where you need them.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * const tokens = await client.clientCredentials({ scopes: ["read"] })
 * fetch(url, { headers: { authorization: `Bearer ${Redacted.value(tokens.accessToken)}` } })
 * ```
 */
import type * as Redacted from "effect/Redacted"

export interface TokenSet {
  readonly accessToken: Redacted.Redacted<string>
  /** As the server sent it, normalised to `Bearer` when it said `bearer` in any case. */
  readonly tokenType: string
  /** When the access token expires, from `expires_in`; undefined when the server did not say. */
  readonly expiresAt: Date | undefined
  readonly refreshToken: Redacted.Redacted<string> | undefined
  /** Granted scopes, split with the provider's delimiter; empty when the server sent none. */
  readonly scopes: ReadonlyArray<string>
  /** OpenID Connect `id_token`, when present. */
  readonly idToken?: Redacted.Redacted<string> | undefined
  /** Every other field of the token response (never the secrets above). */
  readonly raw: Readonly<Record<string, unknown>>
}

import * as R from "effect/Redacted"
import { StoreError } from "./Errors.js"
import { decodeStoredTokenSet, versionProblem } from "./internal/storedWire.js"

/** The format version `encodeTokenSet` writes. */
export const TOKEN_SET_VERSION = 1

/**
 * A token set as plain JSON, as stores keep it (and as `TokenStore.fromPromise` hands it to your
 * `get`/`set`). Secrets appear in clear here: storage only. `v` is the format version; a record
 * without it is read as version 1 (what grantflow wrote before versioning), and absent `scopes` /
 * `raw` as empty.
 */
export interface TokenSetJson {
  readonly v?: 1 | undefined
  readonly accessToken: string
  readonly tokenType: string
  /** Epoch milliseconds; absent or null when the server gave no lifetime. */
  readonly expiresAt?: number | null | undefined
  readonly refreshToken?: string | null | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly idToken?: string | null | undefined
  readonly raw?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Reads a stored token set (a `TokenSetJson` object). Throws `StoreError` when it is not one: a
 * wrong shape, an empty access token, an unknown format version. The error never quotes the data.
 */
export const tokenSetFromJson = (u: unknown, operation = "TokenStore.get"): TokenSet => {
  const o = decodeStoredTokenSet(u)
  if (o === undefined) {
    throw new StoreError({
      operation,
      detail:
        versionProblem(u, TOKEN_SET_VERSION) ?? "the stored value is not a token set (format version 1)",
    })
  }
  return {
    accessToken: R.make(o.accessToken),
    tokenType: o.tokenType,
    expiresAt: o.expiresAt === undefined || o.expiresAt === null ? undefined : new Date(o.expiresAt),
    refreshToken:
      o.refreshToken === undefined || o.refreshToken === null ? undefined : R.make(o.refreshToken),
    scopes: o.scopes ?? [],
    idToken: o.idToken === undefined || o.idToken === null ? undefined : R.make(o.idToken),
    raw: o.raw ?? {},
  }
}

/** A token set as plain JSON for a store (see `TokenSetJson`). Reveals the secrets: storage only. */
export const tokenSetToJson = (t: TokenSet): TokenSetJson => ({
  accessToken: R.value(t.accessToken),
  tokenType: t.tokenType,
  expiresAt: t.expiresAt?.getTime(),
  refreshToken: t.refreshToken === undefined ? undefined : R.value(t.refreshToken),
  scopes: t.scopes,
  idToken: t.idToken === undefined ? undefined : R.value(t.idToken),
  raw: t.raw,
  v: TOKEN_SET_VERSION,
})

/** Serialises a TokenSet for a store that keeps strings (e.g. Redis). Reveals the secrets: storage only. */
export const encodeTokenSet = (t: TokenSet): string => JSON.stringify(tokenSetToJson(t))

/**
 * Reads what `encodeTokenSet` wrote. Throws `StoreError` for anything else (not JSON, a wrong
 * shape, an unknown format version), so bad stored data fails as the store's error, never later.
 */
export const decodeTokenSet = (s: string): TokenSet => {
  let parsed: unknown
  try {
    parsed = JSON.parse(s)
  } catch {
    throw new StoreError({ operation: "TokenStore.get", detail: "the stored value is not JSON" })
  }
  return tokenSetFromJson(parsed)
}
