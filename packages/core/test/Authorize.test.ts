import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { MemoryStateStore, OAuth, Pkce, Providers, StateStore, createOAuthClient } from "../src/index.js"
import { squashExit } from "../src/internal/runPromise.js"

const hopper = Providers.cryptohopper({
  clientId: "hopper-app",
  clientSecret: "hopper-secret",
  redirectUri: "http://127.0.0.1/callback",
  scopes: ["read", "trade"],
})

const run = <A, E>(effect: Effect.Effect<A, E, StateStore>, store = MemoryStateStore.make()) =>
  Effect.runPromiseExit(effect.pipe(Effect.provide(Layer.succeed(StateStore, store)))).then(squashExit)

const rejection = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    return e as { _tag: string; reason?: string; error?: string; description?: string; message: string }
  }
  throw new Error("expected a rejection")
}

describe("authorize", () => {
  it("builds the URL with the comma-joined scopes, the exact redirect_uri, state and an S256 challenge", async () => {
    const store = MemoryStateStore.make()
    const { url, state, expiresAt } = await run(OAuth.authorize(hopper), store)
    const u = new URL(url)
    expect(u.origin + u.pathname).toBe("https://www.cryptohopper.com/oauth2/authorize")
    expect(u.searchParams.get("response_type")).toBe("code")
    expect(u.searchParams.get("client_id")).toBe("hopper-app")
    expect(u.searchParams.get("redirect_uri")).toBe("http://127.0.0.1/callback")
    expect(u.searchParams.get("scope")).toBe("read,trade")
    expect(u.searchParams.get("state")).toBe(state)
    expect(u.searchParams.get("code_challenge_method")).toBe("S256")
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60 * 1000)

    const pending = await Effect.runPromise(store.take(state))
    expect(Option.isSome(pending)).toBe(true)
    const p = Option.getOrThrow(pending)
    expect(p.redirectUri).toBe("http://127.0.0.1/callback")
    expect(await Effect.runPromise(Pkce.challengeS256(Redacted.value(p.codeVerifier!)))).toBe(
      u.searchParams.get("code_challenge"),
    )
  })

  it("makes a base64url state of at least 128 bits that differs each time", async () => {
    const a = await run(OAuth.authorize(hopper))
    const b = await run(OAuth.authorize(hopper))
    expect(a.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a.state).not.toBe(b.state)
  })

  it("space-joins scopes and sends no PKCE where the dialect says so", async () => {
    const p = Providers.generic({
      authorizationEndpoint: "https://idp.example/authorize?tenant=1",
      tokenEndpoint: "https://idp.example/token",
      clientId: "x",
      clientSecret: "y",
      redirectUri: "com.example.app:/cb",
      dialect: { pkce: "none" },
    })
    const { url } = await run(OAuth.authorize(p, { scopes: ["openid", "email"], extraParams: { prompt: "consent" } }))
    const u = new URL(url)
    expect(u.searchParams.get("scope")).toBe("openid email")
    expect(u.searchParams.get("tenant")).toBe("1")
    expect(u.searchParams.get("prompt")).toBe("consent")
    expect(u.searchParams.get("redirect_uri")).toBe("com.example.app:/cb")
    expect(u.searchParams.has("code_challenge")).toBe(false)
  })

  it("refuses to authorize without a redirect URI or with extra params that override protocol ones", async () => {
    const noRedirect = Providers.cryptohopper({ clientId: "a", clientSecret: "b" })
    expect(await rejection(run(OAuth.authorize(noRedirect)))).toMatchObject({ _tag: "ConfigError" })
    expect(await rejection(run(OAuth.authorize(hopper, { extraParams: { state: "mine" } })))).toMatchObject({
      _tag: "ConfigError",
    })
    const fuse = Providers.cryptofuse({ clientId: "a", clientSecret: "b" })
    expect((await rejection(run(OAuth.authorize(fuse, { redirectUri: "http://127.0.0.1/cb" })))).message).toMatch(
      /no authorization endpoint/,
    )
  })
})

describe("callback state checks", () => {
  const client = () => createOAuthClient(hopper, { retries: 0 })

  it("rejects a callback without state", async () => {
    const c = client()
    expect(await rejection(c.handleCallback("http://127.0.0.1/callback?code=abc"))).toMatchObject({
      _tag: "StateMismatch",
      reason: "missing",
    })
    await c.dispose()
  })

  it("rejects a callback whose state was never issued", async () => {
    const c = client()
    expect(await rejection(c.handleCallback("?code=abc&state=forged"))).toMatchObject({
      _tag: "StateMismatch",
      reason: "unknown",
    })
    await c.dispose()
  })

  it("consumes the state when the callback carries an error, so a replay finds nothing", async () => {
    const c = client()
    const { state } = await c.authorizationUrl()
    const denied = `/callback?error=1&message=User+did+not+give+permission+to+the+app.&state=${state}`
    expect(await rejection(c.handleCallback(denied))).toMatchObject({
      _tag: "AuthorizationError",
      error: "1",
      description: "User did not give permission to the app.",
    })
    expect(await rejection(c.handleCallback(denied))).toMatchObject({ _tag: "StateMismatch", reason: "unknown" })
    await c.dispose()
  })

  it("reports an error callback that came back without state as AuthorizationError", async () => {
    const c = client()
    const e = await rejection(c.handleCallback(new URLSearchParams({ error: "1", error_description: "App key is invalid." })))
    expect(e).toMatchObject({ _tag: "AuthorizationError", description: "App key is invalid." })
    await c.dispose()
  })

  it("rejects an expired state", async () => {
    const c = createOAuthClient(hopper, { stateTtlMs: 1 })
    const { state } = await c.authorizationUrl()
    await new Promise((r) => setTimeout(r, 5))
    expect(await rejection(c.handleCallback(`?code=abc&state=${state}`))).toMatchObject({ _tag: "StateMismatch" })
    await c.dispose()
  })

  it("rejects a state issued for another provider", async () => {
    const store = MemoryStateStore.make()
    const other = Providers.generic({
      authorizationEndpoint: "https://idp.example/authorize",
      tokenEndpoint: "https://idp.example/token",
      clientId: "x",
      clientSecret: "y",
      redirectUri: "https://app.example/cb",
    })
    const a = createOAuthClient(other, { stateStore: store })
    const b = createOAuthClient(hopper, { stateStore: store })
    const { state } = await a.authorizationUrl()
    expect(await rejection(b.handleCallback(`?code=abc&state=${state}`))).toMatchObject({
      _tag: "StateMismatch",
      reason: "mismatch",
    })
    await a.dispose()
    await b.dispose()
  })

  it("rejects a callback whose iss is not the provider's issuer (RFC 9207)", async () => {
    const p = Providers.generic({
      issuer: "https://idp.example",
      authorizationEndpoint: "https://idp.example/authorize",
      tokenEndpoint: "https://idp.example/token",
      clientId: "x",
      clientSecret: "y",
      redirectUri: "https://app.example/cb",
    })
    const c = createOAuthClient(p)
    const { state } = await c.authorizationUrl()
    const e = await rejection(c.handleCallback(`https://app.example/cb?code=abc&state=${state}&iss=https://evil.example`))
    expect(e).toMatchObject({ _tag: "StateMismatch", reason: "issuer" })
    await c.dispose()
  })

  it("reads an RFC 6749 callback error with its description", async () => {
    const p = Providers.generic({
      authorizationEndpoint: "https://idp.example/authorize",
      tokenEndpoint: "https://idp.example/token",
      clientId: "x",
      clientSecret: "y",
      redirectUri: "https://app.example/cb",
    })
    const c = createOAuthClient(p)
    const { state } = await c.authorizationUrl()
    const e = await rejection(
      c.handleCallback(`https://app.example/cb?error=access_denied&error_description=The+user+said+no&state=${state}`),
    )
    expect(e).toMatchObject({ _tag: "AuthorizationError", error: "access_denied", description: "The user said no" })
    expect(e.message).toBe("Authorization failed: The user said no")
    await c.dispose()
  })
})
