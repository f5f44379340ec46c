/**
 * What `authorize` remembers between sending the browser away and its return: kept in a
 * StateStore under `state`, taken (and so consumed) exactly once by `handleCallback`.
 */
import * as Redacted from "effect/Redacted"

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

/** Serialises a pending request for a store that keeps strings (e.g. Redis). Reveals the verifier: storage only. */
export const encodePending = (p: PendingAuthorization): string =>
  JSON.stringify({ ...p, codeVerifier: p.codeVerifier === undefined ? undefined : Redacted.value(p.codeVerifier) })

export const decodePending = (s: string): PendingAuthorization => {
  const o = JSON.parse(s) as Omit<PendingAuthorization, "codeVerifier"> & { codeVerifier?: string }
  return { ...o, codeVerifier: o.codeVerifier === undefined ? undefined : Redacted.make(o.codeVerifier) }
}
