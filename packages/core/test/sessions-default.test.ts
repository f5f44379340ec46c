// The default session, session handles and getTokenSet of the Promise client, against the sandbox.
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { MemoryTokenStore, OAuth, SessionKey } from "../src/index.js"
import { followAuthorize, fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { sandboxPerFile, login, stored } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve" })
const pool = env.pool

describe("the default session", { timeout: 30_000 }, () => {
  it("stores handleCallback(url) without options as the default session and uses it for getAccessToken() and fetch()", async () => {
    const provider = hopperProvider(env.sb)
    const tokenStore = MemoryTokenStore.make()
    const hopper = pool.make(provider, { tokenStore })
    const { url } = await hopper.authorizationUrl({ scopes: ["read", "user"] })
    const tokens = await hopper.handleCallback(await followAuthorize(url))
    expect(Redacted.value(await hopper.getAccessToken())).toBe(Redacted.value(tokens.accessToken))
    const res = await hopper.fetch("/user/get")
    expect(res.status).toBe(200)
    expect(await hopper.api.get("user/get").json()).toMatchObject({ data: { user: expect.any(Object) } })
    const kept = await stored(tokenStore, provider, {})
    expect(Redacted.value(kept!.accessToken)).toBe(Redacted.value(tokens.accessToken))
    expect(SessionKey.of(provider, {})).toBe(`${provider.id}:${provider.client.clientId}:default`)
  })

  it("keeps the default session apart from a named session called default", async () => {
    const hopper = pool.make(hopperProvider(env.sb))
    const { url } = await hopper.authorizationUrl({ scopes: ["read"] })
    const mine = await hopper.handleCallback(await followAuthorize(url))
    const theirs = await login(hopper, "default")
    expect(Redacted.value(await hopper.getAccessToken())).toBe(Redacted.value(mine.accessToken))
    expect(Redacted.value(await hopper.getAccessToken({ session: "default" }))).toBe(
      Redacted.value(theirs.accessToken),
    )
  })

  it("asks for a login when the default session is empty, without a token request", async () => {
    const hopper = pool.make(hopperProvider(env.sb))
    expect(await rejectionOf(hopper.getAccessToken())).toMatchObject({
      _tag: "LoginRequired",
      reason: "no-session",
    })
    expect(await rejectionOf(hopper.fetch("/user/get"))).toMatchObject({ _tag: "LoginRequired" })
    expect(env.sb.stats.requests()).toBe(0)
  })

  it("keeps per-scope client-credentials sessions on a client-credentials provider", async () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    const plain = await fuse.getAccessToken()
    const wide = await fuse.getAccessToken({ scopes: ["read", "write"] })
    expect(Redacted.value(plain)).not.toBe(Redacted.value(wide))
    expect(Redacted.value(await fuse.session().getAccessToken())).toBe(Redacted.value(plain))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(2)
    expect(await rejectionOf(fuse.setSession(undefined, await fuse.clientCredentials()))).toMatchObject({
      _tag: "ConfigError",
    })
  })

  it("serves the same default session to Effect users through OAuth.getAccessToken without a session", async () => {
    const provider = hopperProvider(env.sb)
    const token = await Effect.runPromise(
      Effect.gen(function* () {
        const { url } = yield* OAuth.authorize(provider, { scopes: ["read"] })
        const callback = yield* Effect.promise(() => followAuthorize(url))
        const tokens = yield* OAuth.handleCallback(provider, callback)
        yield* OAuth.setSession(provider, undefined, tokens, "login")
        const token = yield* OAuth.getAccessToken(provider)
        return { token, tokens }
      }).pipe(Effect.provide(OAuth.layer())),
    )
    expect(Redacted.value(token.token)).toBe(Redacted.value(token.tokens.accessToken))
  })
})

describe("session handles and getTokenSet", { timeout: 30_000 }, () => {
  it("gives a named session's token set, token, fetch and clear through client.session(name)", async () => {
    const hopper = pool.make(hopperProvider(env.sb))
    const tokens = await login(hopper, "vera")
    const vera = hopper.session("vera")
    expect(vera.name).toBe("vera")
    const set = await vera.getTokenSet()
    expect(Redacted.value(set.accessToken)).toBe(Redacted.value(tokens.accessToken))
    expect(set.scopes).toEqual(tokens.scopes)
    expect(Redacted.value(set.refreshToken!)).toBe(Redacted.value(tokens.refreshToken!))
    expect(Redacted.value(await vera.getAccessToken())).toBe(Redacted.value(tokens.accessToken))
    expect((await vera.fetch("/user/get")).status).toBe(200)
    // The handle's ky instance carries the same session's token.
    expect(await vera.api.get("user/get").json()).toMatchObject({ data: { user: expect.any(Object) } })
    await vera.clear()
    expect(await rejectionOf(vera.getTokenSet())).toMatchObject({
      _tag: "LoginRequired",
      reason: "no-session",
    })
    expect(await rejectionOf(hopper.getAccessToken({ session: "vera" }))).toMatchObject({
      _tag: "LoginRequired",
    })
  })

  it("refreshes through a handle's getTokenSet with forceRefresh, keeping the refresh token the server did not replace", async () => {
    const hopper = pool.make(hopperProvider(env.sb))
    const tokens = await login(hopper, "walt")
    env.sb.stats.reset()
    const next = await hopper.session("walt").getTokenSet({ forceRefresh: true })
    expect(Redacted.value(next.accessToken)).not.toBe(Redacted.value(tokens.accessToken))
    expect(Redacted.value(next.refreshToken!)).toBe(Redacted.value(tokens.refreshToken!))
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(Redacted.value((await hopper.getTokenSet({ session: "walt" })).accessToken)).toBe(
      Redacted.value(next.accessToken),
    )
  })

  it("stores tokens through the default handle's set and serves them to getAccessToken()", async () => {
    const hopper = pool.make(hopperProvider(env.sb))
    const tokens = await login(hopper, "xena")
    await hopper.session().set(tokens)
    expect(Redacted.value(await hopper.getAccessToken())).toBe(Redacted.value(tokens.accessToken))
    await hopper.session().clear()
    expect(await rejectionOf(hopper.getAccessToken())).toMatchObject({ _tag: "LoginRequired" })
    // The named session the tokens came from is untouched.
    expect(Redacted.value(await hopper.getAccessToken({ session: "xena" }))).toBe(
      Redacted.value(tokens.accessToken),
    )
  })

  it("refuses an empty session name when the handle is made", () => {
    const hopper = pool.make(hopperProvider(env.sb))
    expect(() => hopper.session("")).toThrow(expect.objectContaining({ _tag: "ConfigError" }))
  })
})
