/**
 * `grantflow status [<provider>]`: the stored sessions, with provider, client, session, scopes,
 * expiry and whether a refresh token is held. Never a token.
 */
import * as Effect from "effect/Effect"
import * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { ExitCode } from "../ExitCode.js"
import { relative, type SessionView, view } from "../SessionView.js"

export const status = async (ctx: CommandContext): Promise<number> => {
  const store = await Client.openStore(ctx)
  const filter = ctx.positionals[0]?.toLowerCase()
  const found = await Effect.runPromise(store.list())
  const sessions: SessionView[] = []
  const problems: Array<{ file: string; message: string }> = []
  for (const entry of found) {
    if ("problem" in entry) problems.push({ file: entry.file, message: entry.problem.message })
    else {
      const v = view(entry.key, entry.tokens, Date.now(), entry.sealed === true)
      if (filter === undefined || v.provider === filter) sessions.push(v)
    }
  }
  if (ctx.json) ctx.result({ directory: store.directory, sessions, problems })
  else if (sessions.length === 0 && problems.length === 0) {
    ctx.result(
      null,
      filter === undefined
        ? "No sessions. Log in with: grantflow login <provider>"
        : `No sessions with ${filter}.`,
    )
  } else {
    const rows = sessions.map((s) => [
      s.provider,
      s.client,
      s.session,
      s.encrypted === true ? "(encrypted)" : s.scopes.length === 0 ? "-" : s.scopes.join(","),
      relative(s.expiresAt),
      s.refreshToken ? "refresh token" : "no refresh token",
    ])
    const header = ["PROVIDER", "CLIENT", "SESSION", "SCOPES", "EXPIRY", "REFRESH"]
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
    const line = (cells: ReadonlyArray<string>) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()
    ctx.result(null, [line(header), ...rows.map(line)].join("\n"))
    for (const p of problems) ctx.say(`grantflow status: ${p.message}`)
  }
  return problems.length === 0 ? ExitCode.ok : ExitCode.store
}
