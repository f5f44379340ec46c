/**
 * `grantflow logout <provider>`: revokes the session's tokens where the provider has a revocation
 * endpoint (RFC 7009; the refresh token first, which ends the grant), then forgets them. They are
 * forgotten even when revoking fails, and the person is told.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { ExitCode } from "../ExitCode.js"
import { describe } from "../Failure.js"

export const logout = async (ctx: CommandContext): Promise<number> => {
  const opened = await Client.open(ctx)
  const { client, provider, store } = opened
  const name = ctx.provider!.name
  try {
    const { SessionKey } = await import("@grantflow/core")
    const isClient = provider.grant === "client_credentials"
    let keys: ReadonlyArray<string> = [opened.key]
    if (isClient && ctx.flags["scopes"] === undefined) {
      // Every client-credentials token of this client, whatever its scopes.
      const prefix = `${SessionKey.prefix(provider)}:cc:`
      keys = (await Effect.runPromise(store.list())).flatMap((s) =>
        s.key?.startsWith(prefix) ? [s.key] : [],
      )
    }
    let forgotten = 0
    const failures: string[] = []
    const canRevoke = provider.endpoints.revocation !== undefined
    for (const key of keys) {
      const stored = await Effect.runPromise(store.get(key))
      if (Option.isNone(stored)) continue
      const tokens = stored.value
      if (canRevoke) {
        const revocations = [
          ...(tokens.refreshToken === undefined
            ? []
            : [client.revoke(tokens.refreshToken, { hint: "refresh_token" })]),
          client.revoke(tokens.accessToken, { hint: "access_token" }),
        ]
        for (const result of await Promise.allSettled(revocations)) {
          if (result.status === "rejected") failures.push(describe(result.reason, ctx.provider).message)
        }
      }
      if (isClient) await Effect.runPromise(store.delete(key))
      else await client.clearSession(opened.session)
      forgotten++
    }
    const revoked = canRevoke && failures.length === 0
    const text =
      forgotten === 0
        ? `Not logged in to ${name}: nothing to forget.`
        : !canRevoke
          ? `Logged out of ${name}: tokens forgotten (${name} offers no revocation endpoint, so they stay valid there until they expire).`
          : revoked
            ? `Logged out of ${name}: tokens revoked and forgotten.`
            : `Logged out of ${name}: tokens forgotten, but revoking them failed: ${failures[0]}`
    ctx.result({ ok: failures.length === 0, forgotten, revoked: forgotten > 0 && revoked, failures }, text)
    return failures.length === 0 ? ExitCode.ok : ExitCode.failure
  } finally {
    await client.dispose()
  }
}
