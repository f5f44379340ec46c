/** What `status`, `login` and `token --json` may show of a session: never a token. */
import type { TokenSet } from "@grantflow/core"

export interface SessionView {
  readonly provider: string
  readonly client: string
  /** "default" (the client's default session), "user:<name>" (`--session <name>`) or "client_credentials". */
  readonly session: string
  readonly scopes: ReadonlyArray<string>
  /** ISO 8601, or null when the provider did not say. */
  readonly expiresAt: string | null
  readonly expired: boolean
  readonly refreshToken: boolean
  /** Encrypted at rest and read without the key: scopes unknown, expiry and refresh token known. */
  readonly encrypted?: true
}

const unpart = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Reads a store key (`<provider>:<client>:user:<session>` / `...:cc:<scopes>`) and a token set. */
export const view = (key: string, tokens: TokenSet, now = Date.now(), encrypted = false): SessionView => {
  const [provider = "?", client = "?", kind, ...rest] = key.split(":")
  return {
    provider: unpart(provider),
    client: unpart(client),
    session:
      kind === "user"
        ? `user:${unpart(rest.join(":"))}`
        : kind === "default"
          ? "default"
          : "client_credentials",
    scopes: tokens.scopes,
    expiresAt: tokens.expiresAt === undefined ? null : tokens.expiresAt.toISOString(),
    expired: tokens.expiresAt !== undefined && tokens.expiresAt.getTime() <= now,
    refreshToken: tokens.refreshToken !== undefined,
    ...(encrypted ? { encrypted: true as const } : {}),
  }
}

/** "in 3 h", "in 12 days", "2 min ago". */
export const relative = (iso: string | null, now = Date.now()): string => {
  if (iso === null) return "no expiry given"
  const ms = Date.parse(iso) - now
  const abs = Math.abs(ms)
  const unit =
    abs < 90_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 90 * 60_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 36 * 3_600_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} days`
  return ms >= 0 ? `expires in ${unit}` : `expired ${unit} ago`
}
