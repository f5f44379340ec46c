import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  AuthorizationError,
  MemoryStateStore,
  OAuthServerError,
  Providers,
  StateMismatch,
  type OAuthClient,
  type Provider,
} from "../src/index.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { HOPPER, followAuthorize, hopperProvider, rejectionOf } from "./helpers/sandbox.js"

let sb: Sandbox
const extraSandboxes: Array<Sandbox> = []
const pool = clientPool()
const client = pool.make

beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterEach(async () => {
  sb.faults.clear()
  sb.stats.reset()
  sb.setConsent("approve")
  await pool.disposeAll()
})
afterAll(async () => {
  await Promise.all([sb.stop(), ...extraSandboxes.map((s) => s.stop())])
})

/** Runs the browser leg and returns the callback URL. */
const login = async (c: OAuthClient, scopes: ReadonlyArray<string> = ["read", "trade"]) => {
  const { url } = await c.authorizationUrl({ scopes })
  return followAuthorize(url)
}

/** Runs the browser leg but keeps the pending request, for tests that exchange the code by hand. */
const codeAndPending = async (provider: Provider) => {
  const store = MemoryStateStore.make()
  const c = client(provider, { stateStore: store })
  const callback = new URL(await login(c))
  const pending = Option.getOrThrow(await Effect.runPromise(store.take(callback.searchParams.get("state")!)))
  return { c, code: callback.searchParams.get("code")!, pending }
}

describe("Cryptohopper authorization code flow against the sandbox", () => {
  it("logs in with PKCE and a JSON token request and parses the comma-joined scopes", async () => {
    const c = client(hopperProvider(sb))
    const tokens = await c.handleCallback(await login(c))
    expect(tokens.tokenType).toBe("Bearer")
    expect(tokens.scopes).toEqual(["read", "trade"])
    expect(tokens.refreshToken).toBeDefined()
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000)
  })

  it("calls the API with the access-token header and the app key header", async () => {
    const c = client(hopperProvider(sb, { appKeyHeader: true }))
    await c.handleCallback(await login(c, ["read", "user"]), { session: "alice" })
    const res = await c.fetch("/user/get", { session: "alice" })
    expect(res.status).toBe(200)
    expect(await res.json()).toHaveProperty("data")
  })

  it("refreshes and keeps the old refresh token when the answer has none", async () => {
    const c = client(hopperProvider(sb))
    const tokens = await c.handleCallback(await login(c))
    const next = await c.refresh(tokens.refreshToken!)
    expect(Redacted.value(next.accessToken)).not.toBe(Redacted.value(tokens.accessToken))
    expect(Redacted.value(next.refreshToken!)).toBe(Redacted.value(tokens.refreshToken!))
    expect(next.scopes).toEqual(["read", "trade"])
  })

  it("refreshes a session after the API refused its expired token, once, and retries the call", async () => {
    const c = client(hopperProvider(sb))
    await c.handleCallback(await login(c), { session: "bob" })
    const before = await c.getAccessToken({ session: "bob" })
    sb.expireAccessTokens()
    sb.stats.reset()
    const res = await c.fetch("/hopper", { session: "bob" })
    expect(res.status).toBe(200)
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(Redacted.value(await c.getAccessToken({ session: "bob" }))).not.toBe(Redacted.value(before))
  })

  it("asks for a login when a session, or the default session, is unknown", async () => {
    const c = client(hopperProvider(sb))
    expect(await rejectionOf(c.getAccessToken({ session: "nobody" }))).toMatchObject({
      _tag: "LoginRequired",
      reason: "no-session",
    })
    expect(await rejectionOf(c.getAccessToken())).toMatchObject({ _tag: "LoginRequired", reason: "no-session" })
  })

  it("revokes a refresh token through the sandbox's RFC 7009 extension", async () => {
    const c = client(hopperProvider(sb))
    const tokens = await c.handleCallback(await login(c))
    await c.revoke(tokens.refreshToken!, { hint: "refresh_token" })
    expect(await rejectionOf(c.refresh(tokens.refreshToken!))).toMatchObject({ error: "invalid_grant" })
  })

  it("refuses to revoke without a revocation endpoint, as real Cryptohopper documents none", async () => {
    const c = client(Providers.cryptohopper({ ...HOPPER, endpoints: { token: sb.cryptohopper.tokenEndpoint } }))
    expect(await rejectionOf(c.revoke("some-token"))).toMatchObject({ _tag: "ConfigError" })
  })
})

describe("Cryptohopper callback and code rules", () => {
  it("rejects a replayed callback without sending the code again", async () => {
    const c = client(hopperProvider(sb))
    const callback = await login(c)
    await c.handleCallback(callback)
    const e = await rejectionOf(c.handleCallback(callback))
    expect(e).toBeInstanceOf(StateMismatch)
    expect(e).toMatchObject({ reason: "unknown" })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })

  it("rejects a callback whose state was swapped for another one", async () => {
    const c = client(hopperProvider(sb))
    const callback = new URL(await login(c))
    callback.searchParams.set("state", "A".repeat(43))
    expect(await rejectionOf(c.handleCallback(callback))).toMatchObject({ _tag: "StateMismatch", reason: "unknown" })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(0)
  })

  it("reports denied consent as AuthorizationError with Cryptohopper's message", async () => {
    sb.setConsent("deny")
    const c = client(hopperProvider(sb))
    const e = await rejectionOf(c.handleCallback(await login(c)))
    expect(e).toBeInstanceOf(AuthorizationError)
    expect(e).toMatchObject({ error: "1", description: "User did not give permission to the app." })
  })

  it("reads the error=1 message from error_description too", async () => {
    const other = await startSandbox({ consent: "deny", callbackMessageParam: "error_description" })
    extraSandboxes.push(other)
    const c = client(hopperProvider(other))
    expect(await rejectionOf(c.handleCallback(await login(c)))).toMatchObject({
      _tag: "AuthorizationError",
      error: "1",
      description: "User did not give permission to the app.",
    })
  })

  it("rejects a wrong client secret with invalid_client and HTTP 400, as Cryptohopper does", async () => {
    const c = client(hopperProvider(sb, { clientSecret: "not-the-secret" }))
    const e = await rejectionOf(c.handleCallback(await login(c)))
    expect(e).toBeInstanceOf(OAuthServerError)
    expect(e).toMatchObject({ error: "invalid_client", status: 400 })
    expect(JSON.stringify(e)).not.toContain("not-the-secret")
  })

  it("fails the exchange when the redirect URI differs from the authorization request's", async () => {
    const { c, code, pending } = await codeAndPending(hopperProvider(sb))
    const e = await rejectionOf(
      c.exchangeCode(code, {
        codeVerifier: pending.codeVerifier!,
        redirectUri: "http://localhost:3000/auth/cryptohopper/callback",
      }),
    )
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant" })
    expect(String(e.description)).toMatch(/redirect URI/)
  })

  it("fails the exchange without the PKCE verifier", async () => {
    const { c, code, pending } = await codeAndPending(hopperProvider(sb))
    const e = await rejectionOf(c.exchangeCode(code, { redirectUri: pending.redirectUri! }))
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant" })
    expect(String(e.description)).toMatch(/verifier/)
    expect(e.message).not.toContain(code)
  })

  it("does not retry a code exchange that got a 500", async () => {
    const c = client(hopperProvider(sb), { backoffBaseMs: 10 })
    const callback = await login(c)
    sb.faults.next("cryptohopper.token", { kind: "status", status: 500 })
    const e = await rejectionOf(c.handleCallback(callback))
    expect(e).toMatchObject({ status: 500 })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })

  it("turns an HTML page from the token endpoint into InvalidResponse", async () => {
    const c = client(hopperProvider(sb))
    const callback = await login(c)
    sb.faults.next("cryptohopper.token", { kind: "html" })
    expect(await rejectionOf(c.handleCallback(callback))).toMatchObject({ _tag: "InvalidResponse", status: 403 })
  })

  it("turns truncated JSON from the token endpoint into InvalidResponse without the token in it", async () => {
    const c = client(hopperProvider(sb))
    const callback = await login(c)
    sb.faults.next("cryptohopper.token", { kind: "truncated-json" })
    const e = await rejectionOf(c.handleCallback(callback))
    expect(e).toMatchObject({ _tag: "InvalidResponse", status: 200 })
    expect(String(e.excerpt)).not.toMatch(/[0-9a-f]{24,}/)
  })

  it("parses expires_in as a string and token_type in lower case", async () => {
    const other = await startSandbox({ consent: "approve", expiresInAsString: true, lowercaseTokenType: true })
    extraSandboxes.push(other)
    const c = client(hopperProvider(other))
    const tokens = await c.handleCallback(await login(c))
    expect(tokens.tokenType).toBe("Bearer")
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 364 * 24 * 3600 * 1000)
    expect(tokens.raw["expires_in"]).toBeTypeOf("string")
  })
})

describe("Cryptohopper refresh retry rules", () => {
  it("retries a refresh that got 429 with Retry-After, since the server did not process it", async () => {
    const c = client(hopperProvider(sb))
    const tokens = await c.handleCallback(await login(c))
    sb.stats.reset()
    sb.faults.next("cryptohopper.token", { kind: "rate-limit", retryAfterSeconds: 0 })
    const next = await c.refresh(tokens.refreshToken!)
    expect(next.tokenType).toBe("Bearer")
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(2)
  })

  it("does not retry a refresh that got a 500, since the server may have used the token", async () => {
    const c = client(hopperProvider(sb), { backoffBaseMs: 10 })
    const tokens = await c.handleCallback(await login(c))
    sb.stats.reset()
    sb.faults.next("cryptohopper.token", { kind: "status", status: 500 })
    expect(await rejectionOf(c.refresh(tokens.refreshToken!))).toMatchObject({ status: 500 })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })

  it("does not retry a refresh whose connection was reset", async () => {
    const c = client(hopperProvider(sb), { backoffBaseMs: 10 })
    const tokens = await c.handleCallback(await login(c))
    sb.stats.reset()
    sb.faults.next("cryptohopper.token", { kind: "reset" })
    expect(await rejectionOf(c.refresh(tokens.refreshToken!))).toMatchObject({ _tag: "TransportError", reason: "network" })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })
})
