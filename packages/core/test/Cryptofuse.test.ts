import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { InvalidResponse, OAuthServerError, TransportError } from "../src/index.js"
import { fuseProvider, rejectionOf } from "./helpers/sandbox.js"
import { sandboxPerFile } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve" })
const pool = env.pool
const client = pool.make

const fast = { backoffBaseMs: 10, backoffMaxMs: 20 }

describe("Cryptofuse client credentials against the sandbox", () => {
  it("gets a token with Basic credentials whose secret needs form-urlencoding", async () => {
    const c = client(fuseProvider(env.sb))
    const tokens = await c.clientCredentials({ scopes: ["read", "write"] })
    expect(Redacted.value(tokens.accessToken).length).toBeGreaterThan(10)
    expect(tokens.tokenType).toBe("Bearer")
    expect(tokens.scopes).toEqual(["read", "write"])
    expect(tokens.refreshToken).toBeUndefined()
    const lifetime = tokens.expiresAt!.getTime() - Date.now()
    expect(lifetime).toBeGreaterThan(35_000_000)
    expect(lifetime).toBeLessThanOrEqual(36_000_000)
  })

  it("gets a token with the credentials in the form body", async () => {
    const tokens = await client(fuseProvider(env.sb, { auth: "post" })).clientCredentials({
      scopes: ["read", "write", "admin"],
    })
    expect(tokens.scopes).toEqual(["read", "write", "admin"])
  })

  it("rejects a wrong secret with OAuthServerError invalid_client and HTTP 401", async () => {
    const e = await rejectionOf(
      client(fuseProvider(env.sb, { clientSecret: "wrong-secret" })).clientCredentials(),
    )
    expect(e).toBeInstanceOf(OAuthServerError)
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_client", status: 401 })
    expect(e.message).not.toContain("wrong-secret")
  })

  it("rejects an unknown scope with invalid_scope", async () => {
    const e = await rejectionOf(client(fuseProvider(env.sb)).clientCredentials({ scopes: ["read", "root"] }))
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_scope", status: 400 })
  })

  it("retries a 500 and then succeeds, because client credentials are safe to repeat", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "status", status: 500 })
    const tokens = await client(fuseProvider(env.sb), fast).clientCredentials()
    expect(Redacted.value(tokens.accessToken)).not.toBe("")
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(2)
  })

  it("gives up after the configured number of retries and reports the last answer", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "status", status: 503, body: "upstream down" }, 3)
    const e = await rejectionOf(client(fuseProvider(env.sb), { ...fast, retries: 2 }).clientCredentials())
    expect(e).toBeInstanceOf(InvalidResponse)
    expect(e).toMatchObject({ status: 503 })
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(3)
  })

  it("waits for a 429's Retry-After and retries", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "rate-limit", retryAfterSeconds: 1 })
    const tokens = await client(fuseProvider(env.sb), fast).clientCredentials()
    expect(tokens.tokenType).toBe("Bearer")
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(2)
  })

  it("does not retry when Retry-After asks for longer than the cap, and reports it", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "rate-limit", retryAfterSeconds: 120 })
    const e = await rejectionOf(
      client(fuseProvider(env.sb), { ...fast, maxRetryAfterMs: 1_000 }).clientCredentials(),
    )
    expect(e).toMatchObject({ status: 429, retryAfter: 120 })
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("times out a server that does not answer in time", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "delay", ms: 3_000 })
    const e = await rejectionOf(
      client(fuseProvider(env.sb), { timeoutMs: 200, retries: 0 }).clientCredentials(),
    )
    expect(e).toBeInstanceOf(TransportError)
    expect(e).toMatchObject({ reason: "timeout" })
    expect(e.message).toContain("/cryptofuse/o/token/")
  })

  it("reports a connection reset as a network TransportError, and retries it when allowed", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "reset" })
    const e = await rejectionOf(client(fuseProvider(env.sb), { retries: 0 }).clientCredentials())
    expect(e).toMatchObject({ _tag: "TransportError", reason: "network" })

    env.sb.faults.next("cryptofuse.token", { kind: "reset" })
    const tokens = await client(fuseProvider(env.sb), fast).clientCredentials()
    expect(tokens.tokenType).toBe("Bearer")
  })

  it("reports an HTML block page as InvalidResponse", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "html", status: 200 })
    const e = await rejectionOf(client(fuseProvider(env.sb)).clientCredentials())
    expect(e).toBeInstanceOf(InvalidResponse)
    expect(e).toMatchObject({ status: 200 })
    expect(String(e.contentType)).toContain("text/html")
  })

  it("reports truncated JSON as InvalidResponse with a redacted excerpt", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "truncated-json" })
    const e = await rejectionOf(client(fuseProvider(env.sb)).clientCredentials())
    expect(e).toMatchObject({ _tag: "InvalidResponse", status: 200 })
    expect(String(e.reason)).toMatch(/JSON/)
    expect(String(e.excerpt)).not.toMatch(/[A-Za-z0-9]{24,}/)
  })

  it("reports an error inside a 200 as OAuthServerError", async () => {
    env.sb.faults.next("cryptofuse.token", { kind: "error-in-200" })
    const e = await rejectionOf(client(fuseProvider(env.sb)).clientCredentials())
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant", status: 200 })
  })

  it("revokes a token so the API refuses it", async () => {
    const c = client(fuseProvider(env.sb))
    const tokens = await c.clientCredentials({ scopes: ["read"] })
    const call = () =>
      fetch(`${env.sb.cryptofuse.baseUrl}/rates/`, {
        headers: { authorization: `Bearer ${Redacted.value(tokens.accessToken)}` },
      })
    expect((await call()).status).toBe(200)
    await c.revoke(tokens.accessToken, { hint: "access_token" })
    expect((await call()).status).toBe(401)
  })
})

describe("Cryptofuse token cache and fetch", () => {
  it("caches the client-credentials token and makes one request for concurrent callers", async () => {
    const c = client(fuseProvider(env.sb, { scopes: ["read"] }))
    const tokens = await Promise.all([c.getAccessToken(), c.getAccessToken(), c.getAccessToken()])
    expect(new Set(tokens.map(Redacted.value)).size).toBe(1)
    expect(await c.getAccessToken().then(Redacted.value)).toBe(Redacted.value(tokens[0]!))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("calls the API with a Bearer token and gets a new token once after a 401", async () => {
    const c = client(fuseProvider(env.sb, { scopes: ["read"] }))
    const first = await c.fetch("/rates/")
    expect(first.status).toBe(200)
    env.sb.expireAccessTokens()
    const second = await c.fetch("/rates/")
    expect(second.status).toBe(200)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(2)
  })

  it("refuses to send the token to a host that is not the provider's", async () => {
    const c = client(fuseProvider(env.sb))
    const e = await rejectionOf(c.fetch("https://attacker.example/rates/"))
    expect(e).toMatchObject({ _tag: "ConfigError" })
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(0)
  })
})
