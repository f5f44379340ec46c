// onTokens: told after every change of a session's tokens, before they are handed out, against
// the sandbox (a rotating one for refreshes).
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { OAuth, SessionKey, type TokenChange } from "../src/index.js"
import { followAuthorize, fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool, expireLocally, login } from "./helpers/tokenLifecycle.js"

let rotating: Sandbox
const pool = clientPool()

beforeAll(async () => {
  rotating = await startSandbox({ consent: "approve", rotateRefreshTokens: true })
})
afterEach(async () => {
  rotating.faults.clear()
  rotating.stats.reset()
  await pool.disposeAll()
})
afterAll(() => rotating.stop())

const summary = (c: TokenChange) => ({
  reason: c.reason,
  session: c.session,
  token: c.tokens === undefined ? undefined : Redacted.value(c.tokens.accessToken),
})

describe("the onTokens hook", { timeout: 30_000 }, () => {
  it("tells the app about a login, a rotation, a set and a clear of a session, in order", async () => {
    const changes: Array<TokenChange> = []
    const provider = hopperProvider(rotating)
    const c = pool.make(provider, { onTokens: (change) => void changes.push(change) })
    const tokens = await login(c, "yara")
    await expireLocally(c, "yara", tokens)
    const renewed = await c.getTokenSet({ session: "yara" })
    await c.clearSession("yara")
    expect(changes.map(summary)).toEqual([
      { reason: "login", session: "yara", token: Redacted.value(tokens.accessToken) },
      { reason: "set", session: "yara", token: Redacted.value(tokens.accessToken) },
      { reason: "refresh", session: "yara", token: Redacted.value(renewed.accessToken) },
      { reason: "clear", session: "yara", token: undefined },
    ])
    // The rotated refresh token is in the event: what an app persisting sessions needs.
    expect(Redacted.value(changes[2]!.tokens!.refreshToken!)).not.toBe(Redacted.value(tokens.refreshToken!))
    expect(changes[2]!.key).toBe(SessionKey.of(provider, { session: "yara" }))
    expect(changes[2]!.provider).toBe("cryptohopper")
  })

  it("reports the default session's login with no session name", async () => {
    const changes: Array<TokenChange> = []
    const c = pool.make(hopperProvider(rotating), { onTokens: (change) => void changes.push(change) })
    const { url } = await c.authorizationUrl({ scopes: ["read"] })
    await c.handleCallback(await followAuthorize(url))
    expect(changes.map((x) => [x.reason, x.session, x.key.endsWith(":default")])).toEqual([
      ["login", undefined, true],
    ])
  })

  it("awaits the hook before any caller gets the refreshed token", async () => {
    const events: Array<string> = []
    const c = pool.make(hopperProvider(rotating), {
      onTokens: async (change) => {
        if (change.reason !== "refresh") return
        events.push("hook: started")
        await new Promise((resolve) => setTimeout(resolve, 200))
        events.push(`hook: saved ${Redacted.value(change.tokens!.accessToken)}`)
      },
    })
    const tokens = await login(c, "zoe")
    await expireLocally(c, "zoe", tokens)
    const token = Redacted.value(
      await c.getAccessToken({ session: "zoe" }).then((t) => (events.push("caller: got it"), t)),
    )
    expect(events).toEqual(["hook: started", `hook: saved ${token}`, "caller: got it"])
  })

  it("tells the app when the server refused a session's refresh token and the session was deleted", async () => {
    const changes: Array<TokenChange> = []
    const c = pool.make(hopperProvider(rotating), { onTokens: (change) => void changes.push(change) })
    const tokens = await login(c, "abe")
    await c.revoke(tokens.refreshToken!, { hint: "refresh_token" })
    await expireLocally(c, "abe", tokens)
    expect(await rejectionOf(c.getAccessToken({ session: "abe" }))).toMatchObject({ _tag: "LoginRequired" })
    expect(changes.map((x) => [x.reason, x.tokens === undefined])).toEqual([
      ["login", false],
      ["set", false],
      ["rejected", true],
    ])
  })

  it("tells the app when a session expired without a refresh token and was deleted", async () => {
    const changes: Array<TokenChange> = []
    const c = pool.make(hopperProvider(rotating), { onTokens: (change) => void changes.push(change) })
    const tokens = await login(c, "dan")
    await c.setSession("dan", { ...tokens, refreshToken: undefined, expiresAt: new Date(Date.now() - 1) })
    expect(await rejectionOf(c.getAccessToken({ session: "dan" }))).toMatchObject({
      reason: "no-refresh-token",
    })
    expect(changes.map((x) => x.reason)).toEqual(["login", "set", "expired"])
    expect(await rejectionOf(c.getAccessToken({ session: "dan" }))).toMatchObject({ reason: "no-session" })
  })

  it("reports a new client-credentials token as a refresh of the client's session", async () => {
    const changes: Array<TokenChange> = []
    const provider = fuseProvider(rotating, { scopes: ["read"] })
    const c = pool.make(provider, { onTokens: (change) => void changes.push(change) })
    const token = await c.getAccessToken()
    expect(changes.map(summary)).toEqual([
      { reason: "refresh", session: undefined, token: Redacted.value(token) },
    ])
    expect(changes[0]!.key).toBe(SessionKey.of(provider, {}))
  })

  it("does not fail a login or a refresh when the hook throws", async () => {
    const c = pool.make(hopperProvider(rotating), {
      onTokens: () => {
        throw new Error("disk full")
      },
    })
    const tokens = await login(c, "bea")
    await expireLocally(c, "bea", tokens)
    const next = await c.getAccessToken({ session: "bea" })
    expect(Redacted.value(next)).not.toBe(Redacted.value(tokens.accessToken))
  })

  it("keeps every secret of the event Redacted when it is logged or serialised", async () => {
    const changes: Array<TokenChange> = []
    const c = pool.make(hopperProvider(rotating), { onTokens: (change) => void changes.push(change) })
    const tokens = await login(c, "cal")
    const shown =
      JSON.stringify(changes) + String(changes[0]!.tokens?.accessToken) + JSON.stringify(changes[0]!.tokens)
    for (const secret of [tokens.accessToken, tokens.refreshToken!])
      expect(shown).not.toContain(Redacted.value(secret))
  })

  it("runs an Effect hook given to TokenManager.layer", async () => {
    const reasons: Array<string> = []
    const provider = fuseProvider(rotating, { scopes: ["read"] })
    await Effect.runPromise(
      OAuth.getAccessToken(provider).pipe(
        Effect.andThen(OAuth.getAccessToken(provider, { forceRefresh: true })),
        Effect.provide(
          OAuth.layer({
            tokenManager: { onTokens: (change) => Effect.sync(() => void reasons.push(change.reason)) },
          }),
        ),
      ),
    )
    expect(reasons).toEqual(["refresh", "refresh"])
  })
})
