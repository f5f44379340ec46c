/**
 * The shapes of stored token sets and pending authorizations, checked by hand: a store read (every
 * Redis-backed `getAccessToken`, every callback) should not need `effect/Schema`, which is most of
 * what the root entry would otherwise load. The rules are exactly those of the Schema definitions
 * they replace (test/storedWire.test.ts decodes a corpus both ways and compares):
 *
 * ```ts
 * StoredTokenSet = Struct({
 *   v: optional(Literal(1)), accessToken: NonEmptyString, tokenType: String,
 *   expiresAt: optional(NullOr(Finite)), refreshToken, idToken: optional(NullOr(String)),
 *   scopes: optional(Array(String)), raw: optional(Record(String, Unknown)),
 * })
 * StoredPending = Struct({
 *   v: optional(Literal(1)), state: NonEmptyString, providerId: String,
 *   codeVerifier, redirectUri, nonce: optional(NullOr(String)), scopes: optional(Array(String)),
 *   createdAt: Finite, expiresAt: Finite,
 * })
 * ```
 */

import type { TokenSetJson } from "../TokenSet.js"

type Json = Readonly<Record<string, unknown>>

/** An object that is not an array (what a Schema Struct or Record accepts). */
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const isText = (v: unknown): v is string | null | undefined =>
  v === undefined || v === null || typeof v === "string"
const isFinite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v)
const isStrings = (v: unknown): v is ReadonlyArray<string> =>
  v === undefined || (Array.isArray(v) && v.every((s) => typeof s === "string"))
const isVersion1 = (v: unknown): v is 1 | undefined => v === undefined || v === 1

/** A Record's copy: its own enumerable string keys, as Schema.Record decodes it. */
const copyRecord = (o: Json): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o)) {
    // A stored "__proto__" key stays a key: assigning it would set the copy's prototype instead.
    if (k === "__proto__")
      Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true })
    else out[k] = o[k]
  }
  return out
}

/** A stored token set has exactly the public `TokenSetJson` shape; one definition, not two. */
export type StoredTokenSet = TokenSetJson

/**
 * Why `u` was refused when it names a format version other than `current` (a record written by a
 * newer grantflow), so the store's error says what happened; `undefined` otherwise.
 */
export const versionProblem = (u: unknown, current: number): string | undefined => {
  const v = typeof u === "object" && u !== null ? (u as { v?: unknown }).v : undefined
  return v === undefined || v === current
    ? undefined
    : `format version ${JSON.stringify(v)} is not one this grantflow reads (${current})`
}

/** The stored token set in `u`, or `undefined` when `u` does not have its shape. */
export const decodeStoredTokenSet = (u: unknown): StoredTokenSet | undefined => {
  if (!isObject(u)) return undefined
  const { v, accessToken, tokenType, expiresAt, refreshToken, scopes, idToken, raw } = u
  if (
    !isVersion1(v) ||
    typeof accessToken !== "string" ||
    accessToken === "" ||
    typeof tokenType !== "string" ||
    !(expiresAt === undefined || expiresAt === null || isFinite(expiresAt)) ||
    !isText(refreshToken) ||
    !isStrings(scopes) ||
    !isText(idToken) ||
    !(raw === undefined || isObject(raw))
  )
    return undefined
  return {
    v,
    accessToken,
    tokenType,
    expiresAt,
    refreshToken,
    scopes,
    idToken,
    raw: raw === undefined ? undefined : copyRecord(raw),
  }
}

export interface StoredPending {
  readonly v?: 1 | undefined
  readonly state: string
  readonly providerId: string
  readonly codeVerifier?: string | null | undefined
  readonly redirectUri?: string | null | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly nonce?: string | null | undefined
  readonly createdAt: number
  readonly expiresAt: number
}

/** The stored pending authorization in `u`, or `undefined` when `u` does not have its shape. */
export const decodeStoredPending = (u: unknown): StoredPending | undefined => {
  if (!isObject(u)) return undefined
  const { v, state, providerId, codeVerifier, redirectUri, scopes, nonce, createdAt, expiresAt } = u
  if (
    !isVersion1(v) ||
    typeof state !== "string" ||
    state === "" ||
    typeof providerId !== "string" ||
    !isText(codeVerifier) ||
    !isText(redirectUri) ||
    !isStrings(scopes) ||
    !isText(nonce) ||
    !isFinite(createdAt) ||
    !isFinite(expiresAt)
  )
    return undefined
  return { v, state, providerId, codeVerifier, redirectUri, scopes, nonce, createdAt, expiresAt }
}
