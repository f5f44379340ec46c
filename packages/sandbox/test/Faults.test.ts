import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Fault, type FaultTarget, type Sandbox } from "../src/index.js"
import { FUSE, HOPPER, basic, fuseToken, getCode, hopperTokens, postForm } from "./helpers.js"

describe("fault injection", () => {
  let sb: Sandbox
  const fuseTokenRequest = () =>
    fetch(sb.cryptofuse.tokenEndpoint, {
      method: "POST",
      headers: { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    })

  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
  })
  afterEach(() => {
    sb.faults.clear()
    sb.stats.reset()
  })
  afterAll(() => sb.stop())

  it("answers the next request with the status fault, then normally", async () => {
    sb.faults.next("cryptofuse.token", { kind: "status", status: 500 })
    const first = await fuseTokenRequest()
    expect(first.status).toBe(500)
    expect(first.headers.get("content-type")).toBe("application/json")
    expect(((await first.json()) as { error: string }).error).toBe("server_error")
    const second = await fuseTokenRequest()
    expect(second.status).toBe(200)
  })

  it("sends a given text body as text/plain and a JSON body as JSON", async () => {
    sb.faults.next("cryptofuse.token", { kind: "status", status: 503, body: "Service Unavailable" })
    sb.faults.next("cryptofuse.token", { kind: "status", status: 502, body: '{"error":"bad_gateway"}' })
    const text = await fuseTokenRequest()
    expect(text.status).toBe(503)
    expect(text.headers.get("content-type")).toContain("text/plain")
    expect(await text.text()).toBe("Service Unavailable")
    const json = await fuseTokenRequest()
    expect(json.status).toBe(502)
    expect(json.headers.get("content-type")).toBe("application/json")
    expect(await json.json()).toEqual({ error: "bad_gateway" })
  })

  it("applies a fault to the next count requests, in the order queued", async () => {
    sb.faults.next("cryptofuse.token", { kind: "status", status: 500 }, 2)
    sb.faults.next("cryptofuse.token", { kind: "rate-limit", retryAfterSeconds: 3 })
    expect(sb.faults.pending("cryptofuse.token")).toBe(3)
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await fuseTokenRequest()).status)
    expect(statuses).toEqual([500, 500, 429, 200])
    expect(sb.faults.pending()).toBe(0)
  })

  it("answers rate-limit with 429 and Retry-After", async () => {
    sb.faults.next("cryptohopper.token", { kind: "rate-limit", retryAfterSeconds: 7 })
    const res = await fetch(sb.cryptohopper.tokenEndpoint, { method: "POST" })
    expect(res.status).toBe(429)
    expect(res.headers.get("retry-after")).toBe("7")
  })

  it("answers rate-limit with a gateway's text or HTML body when given one, still with Retry-After", async () => {
    sb.faults.next("cryptofuse.token", {
      kind: "rate-limit",
      retryAfterSeconds: 3,
      body: "Too Many Requests",
    })
    sb.faults.next("cryptofuse.token", {
      kind: "rate-limit",
      retryAfterSeconds: 4,
      body: "<html><body>Slow down</body></html>",
    })
    const text = await fetch(sb.cryptofuse.tokenEndpoint, { method: "POST" })
    expect([text.status, text.headers.get("retry-after"), await text.text()]).toEqual([
      429,
      "3",
      "Too Many Requests",
    ])
    expect(text.headers.get("content-type")).toMatch(/^text\/plain/)
    const html = await fetch(sb.cryptofuse.tokenEndpoint, { method: "POST" })
    expect([html.status, html.headers.get("retry-after")]).toEqual([429, "4"])
    expect(html.headers.get("content-type")).toMatch(/^text\/html/)
    await html.text()
  })

  it("answers html with a 403 bot-protection page by default", async () => {
    sb.faults.next("cryptohopper.api", { kind: "html" })
    const res = await fetch(`${sb.cryptohopper.apiBase}/hopper`)
    expect(res.status).toBe(403)
    expect(res.headers.get("content-type")).toContain("text/html")
    expect(await res.text()).toContain("blocked")
  })

  it("answers html with a 200 when asked to", async () => {
    sb.faults.next("cryptohopper.token", { kind: "html", status: 200 })
    const res = await fetch(sb.cryptohopper.tokenEndpoint, { method: "POST" })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toContain("text/html")
    await expect(res.json()).rejects.toThrow()
  })

  it("answers truncated-json with a 200 application/json body that does not parse", async () => {
    sb.faults.next("cryptofuse.token", { kind: "truncated-json" })
    const res = await fuseTokenRequest()
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/json")
    const text = await res.text()
    expect(text.startsWith("{")).toBe(true)
    expect(() => JSON.parse(text)).toThrow()
  })

  it("answers error-in-200 with an OAuth error inside a 200", async () => {
    sb.faults.next("cryptohopper.token", { kind: "error-in-200" })
    const res = await fetch(sb.cryptohopper.tokenEndpoint, { method: "POST" })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant")
  })

  it("answers error-in-200 on the Cryptohopper API in its own error shape", async () => {
    sb.faults.next("cryptohopper.api", { kind: "error-in-200" })
    const res = await fetch(`${sb.cryptohopper.apiBase}/hopper`)
    expect(res.status).toBe(200)
    expect((await res.json()) as object).toMatchObject({ error: 1 })
  })

  it("redirects to the fault's location with its status, then answers normally", async () => {
    sb.faults.next("cryptofuse.api", {
      kind: "redirect",
      location: "http://127.0.0.1:9/elsewhere",
      status: 307,
    })
    const res = await fetch(`${sb.cryptofuse.baseUrl}/rates/`, { redirect: "manual" })
    expect(res.status).toBe(307)
    expect(res.headers.get("location")).toBe("http://127.0.0.1:9/elsewhere")
    expect(() => sb.faults.next("cryptofuse.api", { kind: "redirect", location: "" })).toThrow(TypeError)
    expect(() =>
      sb.faults.next("cryptofuse.api", { kind: "redirect", location: "/x", status: 200 as 302 }),
    ).toThrow(TypeError)
  })

  it("resets the connection without answering", async () => {
    sb.faults.next("cryptofuse.token", { kind: "reset" })
    await expect(fuseTokenRequest()).rejects.toThrow(TypeError)
    expect((await fuseTokenRequest()).status).toBe(200)
  })

  it("delays, then answers normally", async () => {
    sb.faults.next("cryptofuse.token", { kind: "delay", ms: 20 })
    const res = await fuseTokenRequest()
    expect(res.status).toBe(200)
    expect(sb.faults.pending()).toBe(0)
  })

  it("keeps a delayed request unanswered long enough for a client timeout to fire", async () => {
    sb.faults.next("cryptofuse.token", { kind: "delay", ms: 30_000 })
    const attempt = fetch(sb.cryptofuse.tokenEndpoint, {
      method: "POST",
      headers: { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
      signal: AbortSignal.timeout(100),
    })
    await expect(attempt).rejects.toThrow()
  })

  it("keeps serving after a client gives up on a delayed POST", async () => {
    sb.faults.next("cryptohopper.token", { kind: "delay", ms: 200 })
    const attempt = fetch(sb.cryptohopper.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(20),
    })
    await expect(attempt).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await hopperTokens(sb)).access_token).toMatch(/^[0-9a-f]{40}$/)
  })

  it("hits only its own target", async () => {
    sb.faults.next("cryptofuse.api", { kind: "status", status: 500 })
    expect((await fuseTokenRequest()).status).toBe(200)
    const tokens = await hopperTokens(sb)
    expect(
      (await fetch(`${sb.cryptohopper.apiBase}/hopper`, { headers: { "access-token": tokens.access_token } }))
        .status,
    ).toBe(200)
    expect(sb.faults.pending("cryptofuse.api")).toBe(1)
  })

  it("reaches every target", async () => {
    const cases: Array<[FaultTarget, () => Promise<Response>]> = [
      ["cryptohopper.authorize", () => fetch(sb.cryptohopper.authorizationEndpoint)],
      ["cryptohopper.token", () => fetch(sb.cryptohopper.tokenEndpoint, { method: "POST" })],
      ["cryptohopper.revoke", () => fetch(sb.cryptohopper.revocationEndpoint, { method: "POST" })],
      ["cryptohopper.api", () => fetch(`${sb.cryptohopper.apiBase}/hopper`)],
      ["cryptofuse.token", () => fetch(sb.cryptofuse.tokenEndpoint, { method: "POST" })],
      ["cryptofuse.revoke", () => fetch(sb.cryptofuse.revocationEndpoint, { method: "POST" })],
      ["cryptofuse.introspect", () => fetch(sb.cryptofuse.introspectionEndpoint, { method: "POST" })],
      ["cryptofuse.api", () => fetch(`${sb.cryptofuse.baseUrl}/rates/`)],
    ]
    for (const [target, call] of cases) {
      sb.faults.next(target, { kind: "status", status: 418, body: "teapot" })
      const res = await call()
      expect(res.status, target).toBe(418)
      expect(await res.text()).toBe("teapot")
    }
  })

  it("makes the authorize endpoint answer a fault instead of redirecting", async () => {
    sb.faults.next("cryptohopper.authorize", { kind: "status", status: 503 })
    const url = new URL(sb.cryptohopper.authorizationEndpoint)
    url.search = new URLSearchParams({
      client_id: HOPPER.clientId,
      response_type: "code",
      redirect_uri: HOPPER.redirectUri,
    }).toString()
    const res = await fetch(url, { redirect: "manual" })
    expect(res.status).toBe(503)
    expect(res.headers.get("location")).toBeNull()
    expect(await getCode(sb)).toMatch(/^[0-9a-f]{40}$/)
  })

  it("drops queued faults on clear()", async () => {
    sb.faults.next("cryptofuse.token", { kind: "status", status: 500 }, 5)
    sb.faults.clear()
    expect(sb.faults.pending()).toBe(0)
    expect((await fuseTokenRequest()).status).toBe(200)
  })

  it("refuses nonsensical faults", () => {
    expect(() => sb.faults.next("nowhere" as FaultTarget, { kind: "reset" })).toThrow(TypeError)
    expect(() => sb.faults.next("cryptofuse.token", { kind: "explode" } as unknown as Fault)).toThrow(
      TypeError,
    )
    expect(() => sb.faults.next("cryptofuse.token", { kind: "status", status: 99 })).toThrow(TypeError)
    expect(() => sb.faults.next("cryptofuse.token", { kind: "delay", ms: -1 })).toThrow(TypeError)
    expect(() => sb.faults.next("cryptofuse.token", { kind: "reset" }, 0)).toThrow(TypeError)
    expect(sb.faults.pending()).toBe(0)
  })

  describe("stats", () => {
    it("counts POSTs that reached each token endpoint, faulted ones included", async () => {
      sb.faults.next("cryptofuse.token", { kind: "status", status: 500 })
      await fuseTokenRequest()
      await fuseToken(sb)
      await hopperTokens(sb)
      await fetch(sb.cryptofuse.tokenEndpoint)
      expect(sb.stats.tokenRequests("cryptofuse")).toBe(2)
      expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
      expect(sb.stats.tokenRequests()).toBe(3)
      expect(sb.stats.requests("cryptofuse.token")).toBe(3)
      expect(sb.stats.requests("cryptohopper.authorize")).toBe(1)
    })

    it("counts a request whose connection was reset", async () => {
      sb.faults.next("cryptofuse.token", { kind: "reset" })
      await fuseTokenRequest().catch(() => undefined)
      expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
    })

    it("starts again from zero after reset()", async () => {
      await postForm(
        sb.cryptofuse.tokenEndpoint,
        { grant_type: "client_credentials" },
        { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
      )
      expect(sb.stats.tokenRequests()).toBe(1)
      sb.stats.reset()
      expect(sb.stats.tokenRequests()).toBe(0)
      expect(sb.stats.requests()).toBe(0)
    })
  })
})
