/**
 * `grantflow logout <provider>`: revokes the session's tokens where the provider has a revocation
 * endpoint (RFC 7009; the refresh token first, which ends the grant), then forgets them. They are
 * forgotten even when revoking fails, and the person is told; and when the provider cannot even be
 * set up (a missing secret, an issuer that does not answer), the local sessions are still forgotten.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { ExitCode } from "../ExitCode.js"
import { describe } from "../Failure.js"

/** Forgets the provider's sessions in the store without talking to it (no provider could be built). */
const forgetLocally = async (ctx: CommandContext, reason: unknown): Promise<number> => {
  const name = ctx.provider!.name
  const session = typeof ctx.flags["session"] === "string" ? ctx.flags["session"] : undefined
  const store = await Client.openStore(ctx)
  let forgotten = 0
  for (const entry of await Effect.runPromise(store.list())) {
    // Keys are `<provider>:<client>:default`, `...:user:<session>` or `...:cc:<scopes>`; provider names need no escaping.
    const [provider, , kind, ...rest] = entry.key?.split(":") ?? []
    if (provider !== name || entry.key === undefined) continue
    const wanted =
      session === undefined
        ? kind === "default" || kind === "cc"
        : kind === "user" && rest.join(":") === session
    if (!wanted) continue
    await Effect.runPromise(store.delete(entry.key))
    forgotten++
  }
  const why = describe(reason, ctx.provider).message
  ctx.result(
    { ok: false, forgotten, revoked: false, failures: [why] },
    forgotten === 0
      ? `Not logged in to ${name}: nothing to forget.`
      : `Forgot the tokens of ${name} without revoking them, since ${name} could not be set up: ${why}`,
  )
  return forgotten === 0 ? ExitCode.ok : ExitCode.failure
}

export const logout = async (ctx: CommandContext): Promise<number> => {
  let opened: Client.OpenClient
  try {
    opened = await Client.open(ctx)
  } catch (error) {
    // An unknown provider name stays a usage error; a known one that cannot be built is forgotten locally.
    if (ctx.provider === undefined) throw error
    return forgetLocally(ctx, error)
  }
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
