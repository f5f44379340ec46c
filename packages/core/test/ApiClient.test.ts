// The authenticated API call (ApiClient / OAuth.fetch / client.fetch) against the sandbox and its
// faults, with a second local HTTP server on another port standing in for "another origin".
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { OAuth } from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool, login } from "./helpers/tokenLifecycle.js"

/** A plain server on another port: records what reached it, answers 200, or redirects when asked. */
const startOtherOrigin = async () => {
  const seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: string }> = []
  let redirectTo: string | undefined
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      })
      if (redirectTo !== undefined) {
        res.writeHead(302, { location: redirectTo }).end()
        return
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ other: true }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    seen,
    redirectNextTo: (location: string | undefined) => {
      redirectTo = location
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

let sb: Sandbox
let other: Awaited<ReturnType<typeof startOtherOrigin>>
const pool = clientPool()

beforeAll(async () => {
  ;[sb, other] = await Promise.all([startSandbox({ consent: "approve" }), startOtherOrigin()])
})
afterEach(async () => {
  sb.faults.clear()
  sb.stats.reset()
  other.seen.length = 0
  other.redirectNextTo(undefined)
  await pool.disposeAll()
})
afterAll(() => Promise.all([sb.stop(), other.stop()]))

const CREDENTIAL_HEADERS = ["authorization", "access-token", "x-api-app-key", "cookie", "proxy-authorization"]

describe("transport failures are typed", { timeout: 20_000 }, () => {
  it("fails with TransportError timeout when the API accepts the request and never answers", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), { timeoutMs: 300 })
    await c.getAccessToken()
    sb.faults.next("cryptofuse.api", { kind: "delay", ms: 15_000 })
    expect(await rejectionOf(c.fetch("/rates/"))).toMatchObject({
      _tag: "TransportError",
      reason: "timeout",
      request: `GET ${sb.cryptofuse.baseUrl}/rates/`,
    })
  })

  it("fails with TransportError network, not a TypeError, when the connection is reset", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    await c.getAccessToken()
    sb.faults.next("cryptofuse.api", { kind: "reset" }, 3)
    const e = await rejectionOf(c.fetch("/rates/"))
    expect(e).not.toBeInstanceOf(TypeError)
    expect(e).toMatchObject({ _tag: "TransportError", reason: "network" })
  })

  it("fails with TransportError network when nothing listens on the API's port", async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const c = pool.make(
      fuseProvider(sb, { scopes: ["read"], endpoints: { api: `http://127.0.0.1:${port}/api` } }),
    )
    await c.getAccessToken()
    expect(await rejectionOf(c.fetch("/rates/"))).toMatchObject({
      _tag: "TransportError",
      reason: "network",
      code: "ECONNREFUSED",
    })
  })

  it("fails with TransportError aborted when the caller's signal aborts", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    await c.getAccessToken()
    sb.faults.next("cryptofuse.api", { kind: "delay", ms: 15_000 })
    const controller = new AbortController()
    const call = rejectionOf(c.fetch("/rates/", { signal: controller.signal }))
    setTimeout(() => controller.abort(), 50)
    expect(await call).toMatchObject({ _tag: "TransportError", reason: "aborted" })
  })
})

describe("redirects", { timeout: 20_000 }, () => {
  it("re-attaches the token on a same-origin redirect (Cryptofuse's APPEND_SLASH 301)", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    const res = await c.fetch("/rates")
    expect(res.status).toBe(200)
    expect(sb.stats.requests("cryptofuse.api")).toBe(2)
  })

  it("keeps method, body and token across a same-origin 307", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read", "write"] }))
    sb.faults.next("cryptofuse.api", {
      kind: "redirect",
      location: `${sb.cryptofuse.baseUrl}/payments/`,
      status: 307,
    })
    const res = await c.fetch("/payments/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: "3", currency: "BTC" }),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ amount: "3", currency: "BTC" })
    expect(sb.stats.requests("cryptofuse.api")).toBe(2)
  })

  it("never sends Cryptohopper's access-token or app key to another origin, and follows there without them", async () => {
    const c = pool.make(hopperProvider(sb, { appKeyHeader: true }))
    await login(c, "rhea")
    sb.faults.next("cryptohopper.api", {
      kind: "redirect",
      location: `${other.url}/landing?x=1`,
      status: 302,
    })
    const res = await c.fetch("/user/get", {
      session: "rhea",
      headers: { Cookie: "sid=secret", "X-Trace": "t1", "Access-Token": "caller's own" },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ other: true })
    expect(other.seen).toHaveLength(1)
    expect(other.seen[0]!.path).toBe("/landing?x=1")
    for (const name of CREDENTIAL_HEADERS) expect(other.seen[0]!.headers[name]).toBeUndefined()
    // Headers that carry no credential still go.
    expect(other.seen[0]!.headers["x-trace"]).toBe("t1")
  })

  it("never sends a bearer token to another origin on a 307 either", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read", "write"] }))
    sb.faults.next("cryptofuse.api", { kind: "redirect", location: `${other.url}/upload`, status: 307 })
    const res = await c.fetch("/payments/", {
      method: "POST",
      body: "{}",
      headers: new Headers([
        ["Content-Type", "application/json"],
        ["Authorization", "Bearer caller-own"],
      ]),
    })
    expect(res.status).toBe(200)
    expect(other.seen).toMatchObject([{ method: "POST", path: "/upload", body: "{}" }])
    expect(other.seen[0]!.headers.authorization).toBeUndefined()
  })

  it("does not carry the token again when another origin redirects back to the provider", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    await c.getAccessToken()
    sb.stats.reset()
    sb.faults.next("cryptofuse.api", { kind: "redirect", location: `${other.url}/bounce` })
    other.redirectNextTo(`${sb.cryptofuse.baseUrl}/rates/`)
    const res = await c.fetch("/rates/")
    // The sandbox saw the last hop without a token, and that 401 is not taken as a refused token.
    expect(res.status).toBe(401)
    expect(sb.stats.requests("cryptofuse.api")).toBe(2)
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(0)
    expect(other.seen[0]!.headers.authorization).toBeUndefined()
  })

  it("gives up with InvalidResponse after more than maxRedirects hops", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), { maxRedirects: 2 })
    sb.faults.next("cryptofuse.api", { kind: "redirect", location: `${sb.cryptofuse.baseUrl}/rates/` }, 3)
    expect(await rejectionOf(c.fetch("/rates/"))).toMatchObject({
      _tag: "InvalidResponse",
      status: 302,
      reason: "more than 2 redirects",
    })
    expect(sb.stats.requests("cryptofuse.api")).toBe(3)
  })

  it("hands a 307 back when its stream body cannot be sent again", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read", "write"] }))
    sb.faults.next("cryptofuse.api", { kind: "redirect", location: `${other.url}/upload`, status: 307 })
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{}"))
        controller.close()
      },
    })
    const res = await c.fetch("/payments/", { method: "POST", body, duplex: "half" } as RequestInit)
    expect(res.status).toBe(307)
    expect(other.seen).toHaveLength(0)
  })

  it("refuses a first URL on another origin before any token is fetched", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    expect(await rejectionOf(c.fetch(`${other.url}/x`))).toMatchObject({ _tag: "ConfigError" })
    expect(other.seen).toHaveLength(0)
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(0)
  })
})

describe("the dialect's rule for a refused token", { timeout: 20_000 }, () => {
  it("renews once and retries when Cryptohopper refuses the token inside a 200", async () => {
    const c = pool.make(hopperProvider(sb))
    await login(c, "sven")
    sb.stats.reset()
    sb.faults.next("cryptohopper.api", { kind: "error-in-200" })
    const res = await c.fetch("/user/get", { session: "sven" })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ data: { user: expect.any(Object) } })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(sb.stats.requests("cryptohopper.api")).toBe(2)
  })

  it("hands a Cryptohopper error inside a 200 that is not about the token back unread, without renewing", async () => {
    const c = pool.make(hopperProvider(sb))
    await login(c, "tove")
    sb.stats.reset()
    const res = await c.fetch("/exchange/ticker?exchange=nowhere&pair=X", { session: "tove" })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ error: 1, message: "Unknown exchange or pair." })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(0)
  })

  it("does not read an error flag in a 200 as a refusal for a provider whose dialect does not say so", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    await c.getAccessToken()
    sb.stats.reset()
    sb.faults.next("cryptofuse.api", { kind: "status", status: 200, body: '{"status":401,"error":1}' })
    const res = await c.fetch("/rates/")
    expect(await res.json()).toEqual({ status: 401, error: 1 })
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(0)
  })
})

describe("OAuth.fetch for Effect users", { timeout: 20_000 }, () => {
  it("calls the API with a client-credentials token through OAuth.layer()", async () => {
    const fuse = fuseProvider(sb, { scopes: ["read"] })
    const body = await Effect.runPromise(
      OAuth.fetch(fuse, "/rates/").pipe(
        Effect.flatMap((res) => Effect.promise(() => res.json() as Promise<unknown>)),
        Effect.provide(OAuth.layer()),
      ),
    )
    expect(body).toBeTypeOf("object")
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("fails in the error channel with a typed TransportError on a timeout", async () => {
    const fuse = fuseProvider(sb, { scopes: ["read"] })
    sb.faults.next("cryptofuse.api", { kind: "delay", ms: 15_000 })
    const error = await Effect.runPromise(
      OAuth.fetch(fuse, "/rates/").pipe(Effect.flip, Effect.provide(OAuth.layer({ timeoutMs: 300 }))),
    )
    expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
  })
})

describe("bad requests", () => {
  it("fails with a ConfigError that does not quote a malformed URL or its query", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
    const e = await rejectionOf(c.fetch("http://[bad-host/x?access_token=SECRET-IN-QUERY"))
    expect(e).toMatchObject({ _tag: "ConfigError" })
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain("SECRET-IN-QUERY")
  })
})
