/**
 * What `authorize` remembers between sending the browser away and its return: kept in a
 * StateStore under `state`, taken (and so consumed) exactly once by `handleCallback`.
 */
import * as Redacted from "effect/Redacted"
import { StoreError } from "./Errors.js"
import { decodeStoredPending, versionProblem } from "./internal/storedWire.js"

export interface PendingAuthorization {
  readonly state: string
  readonly providerId: string
  /** PKCE verifier; undefined when the dialect sends no PKCE. */
  readonly codeVerifier: Redacted.Redacted<string> | undefined
  /** Exactly the redirect_uri sent in the authorization request, to be sent again with the code. */
  readonly redirectUri: string | undefined
  readonly scopes: ReadonlyArray<string>
  readonly nonce?: string | undefined
  /** Epoch milliseconds. */
  readonly createdAt: number
  readonly expiresAt: number
}

/** The format version `encodePending` writes. */
export const PENDING_VERSION = 1

/** Serialises a pending request for a store that keeps strings (e.g. Redis). Reveals the verifier: storage only. */
export const encodePending = (p: PendingAuthorization): string =>
  JSON.stringify({
    ...p,
    v: PENDING_VERSION,
    codeVerifier: p.codeVerifier === undefined ? undefined : Redacted.value(p.codeVerifier),
  })

/**
 * Reads what `encodePending` wrote (a record without `v` is read as version 1). Throws
 * `StoreError` for anything else; the error never quotes the data.
 */
export const decodePending = (s: string): PendingAuthorization => {
  let parsed: unknown
  try {
    parsed = JSON.parse(s)
  } catch {
    throw new StoreError({ operation: "StateStore.take", detail: "the stored value is not JSON" })
  }
  const decoded = decodeStoredPending(parsed)
  if (decoded === undefined) {
    throw new StoreError({
      operation: "StateStore.take",
      detail:
        versionProblem(parsed, PENDING_VERSION) ??
        "the stored value is not a pending authorization (format version 1)",
    })
  }
  const { v: _, ...o } = decoded
  return {
    ...o,
    codeVerifier:
      o.codeVerifier === undefined || o.codeVerifier === null ? undefined : Redacted.make(o.codeVerifier),
    redirectUri: o.redirectUri ?? undefined,
    scopes: o.scopes ?? [],
    nonce: o.nonce ?? undefined,
  }
}

/** Whether `u` has the shape of a PendingAuthorization (its verifier still `Redacted`), e.g. one an app passes back in. */
export const isPendingAuthorization = (u: unknown): u is PendingAuthorization => {
  if (typeof u !== "object" || u === null) return false
  const p = u as Record<string, unknown>
  return (
    typeof p["state"] === "string" &&
    typeof p["providerId"] === "string" &&
    typeof p["expiresAt"] === "number" &&
    (p["codeVerifier"] === undefined || Redacted.isRedacted(p["codeVerifier"])) &&
    (p["redirectUri"] === undefined || typeof p["redirectUri"] === "string")
  )
}
