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

/** Serialises a TokenSet for a store that keeps strings (e.g. Redis). Reveals the secrets: storage only. */
export const encodeTokenSet = (t: TokenSet): string =>
  JSON.stringify({
    accessToken: R.value(t.accessToken),
    tokenType: t.tokenType,
    expiresAt: t.expiresAt?.getTime(),
    refreshToken: t.refreshToken === undefined ? undefined : R.value(t.refreshToken),
    scopes: t.scopes,
    idToken: t.idToken === undefined ? undefined : R.value(t.idToken),
    raw: t.raw,
  })

export const decodeTokenSet = (s: string): TokenSet => {
  const o = JSON.parse(s) as {
    accessToken: string
    tokenType: string
    expiresAt?: number
    refreshToken?: string
    scopes: string[]
    idToken?: string
    raw: Record<string, unknown>
  }
  return {
    accessToken: R.make(o.accessToken),
    tokenType: o.tokenType,
    expiresAt: o.expiresAt === undefined ? undefined : new Date(o.expiresAt),
    refreshToken: o.refreshToken === undefined ? undefined : R.make(o.refreshToken),
    scopes: o.scopes,
    idToken: o.idToken === undefined ? undefined : R.make(o.idToken),
    raw: o.raw,
  }
}
