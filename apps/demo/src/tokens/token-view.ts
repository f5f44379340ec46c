/**
 * What the demo shows of a token, in pages and in JSON: its metadata and a masked access token.
 * The browser never receives a raw token or a refresh token; API calls go through the server.
 */
import * as Redacted from "effect/Redacted"
import type { LedgerEntry } from "./token-ledger.js"

/** The JSON shape of `GET /api/cryptohopper/token` (and of the Cryptofuse token endpoints). */
export interface TokenView {
  /** The first 4 characters and an ellipsis: enough to see it change, useless to an attacker. */
  readonly accessToken: string
  readonly tokenType: string
  /** ISO 8601, or null when the server did not say. */
  readonly expiresAt: string | null
  readonly scopes: ReadonlyArray<string>
  /** When this login (or the first client-credentials token) was stored. */
  readonly obtainedAt: string
  /** When grantflow last replaced the access token, or null. */
  readonly refreshedAt: string | null
  readonly refreshCount: number
}

const SHOWN = 4

/** `"ab12…"`; a token too short to keep most of it hidden is shown as `"…"` only. */
export const maskToken = (token: Redacted.Redacted<string>): string => {
  const value = Redacted.value(token)
  return value.length >= 3 * SHOWN ? `${value.slice(0, SHOWN)}…` : "…"
}

/** The view of a ledger entry. */
export const toTokenView = (entry: LedgerEntry): TokenView => ({
  accessToken: maskToken(entry.tokens.accessToken),
  tokenType: entry.tokens.tokenType,
  expiresAt: entry.tokens.expiresAt?.toISOString() ?? null,
  scopes: [...entry.tokens.scopes],
  obtainedAt: entry.obtainedAt.toISOString(),
  refreshedAt: entry.refreshedAt?.toISOString() ?? null,
  refreshCount: entry.refreshCount,
})
