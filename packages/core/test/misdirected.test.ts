// Hole 1 of issue 12: a 421 Misdirected Request must not make any transport send a one-time
// secret (an authorization code, a rotating refresh token) a second time, and token requests
// must still carry Content-Length (WSGI servers such as django-oauth-toolkit read no chunked body).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { HttpTransport } from "../src/index.js"
import { KyTransport } from "../src/ky.js"
import { squashExit } from "../src/internal/runPromise.js"
import { followAuthorize, fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool, expireLocally, login } from "./helpers/tokenLifecycle.js"

/** What the wire saw: one entry per request that reached the server. */
interface Seen {
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

let server: Server
let base: string
const seen: Array<Seen> = []
let sb: Sandbox
const pool = clientPool()

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (body += chunk))
    req.on("end", () => {
      seen.push({ headers: req.headers, body })
      res.writeHead(421, { "content-type": "application/json" })
      res.end('{"error":"misdirected_request"}')
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  sb = await startSandbox({ consent: "approve", rotateRefreshTokens: true })
})
afterEach(async () => {
  seen.length = 0
  sb.faults.clear()
  sb.stats.reset()
  await pool.disposeAll()
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  await sb.stop()
})

const transports: ReadonlyArray<
  readonly [string, () => HttpTransport["Service"], () => Layer.Layer<HttpTransport>]
> = [
  [
    "the default transport (undici.request on Node)",
    () => HttpTransport.make({ retries: 0 }),
    () => HttpTransport.layer(),
  ],
  ["the undici transport", () => HttpTransport.undici({ retries: 0 }), () => HttpTransport.undiciLayer()],
  ["the fetch transport", () => HttpTransport.fetch({ retries: 0 }), () => HttpTransport.fetchLayer()],
  ["KyTransport", () => KyTransport.make({ retries: 0 }), () => KyTransport.layer()],
]

const form = "grant_type=authorization_code&code=one-time-c%C3%B6de&code_verifier=v"

describe("421 Misdirected Request", { timeout: 20_000 }, () => {
  it("is replayed by Node's own fetch for a string body, which is why the transports never send one", async () => {
    const res = await fetch(`${base}/token`, { method: "POST", body: form })
    await res.text()
    expect(res.status).toBe(421)
    expect(seen).toHaveLength(2)
  })

  describe.each(transports)("through %s", (_name, make, layer) => {
    it("delivers a POST once, with Content-Length and not chunked, and hands the 421 back", async () => {
      const response = await Effect.runPromiseExit(
        make().request({
          method: "POST",
          url: `${base}/token`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: form,
        }),
      ).then(squashExit)
      expect(response.status).toBe(421)
      expect(seen).toHaveLength(1)
      expect(seen[0]!.body).toBe(form)
      expect(seen[0]!.headers["content-length"]).toBe(String(Buffer.byteLength(form)))
      expect(seen[0]!.headers["transfer-encoding"]).toBeUndefined()
    })

    it("sends an authorization code to the token endpoint once when it answers 421", async () => {
      const c = pool.make(hopperProvider(sb), { transport: layer() })
      const { url } = await c.authorizationUrl({ scopes: ["read"] })
      const callback = await followAuthorize(url)
      sb.faults.next("cryptohopper.token", { kind: "status", status: 421 })
      expect(await rejectionOf(c.handleCallback(callback))).toMatchObject({ status: 421 })
      expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    })

    it("sends a rotating refresh token once on refresh() when the token endpoint answers 421", async () => {
      const c = pool.make(hopperProvider(sb), { transport: layer() })
      const tokens = await login(c, "ada")
      sb.stats.reset()
      sb.faults.next("cryptohopper.token", { kind: "status", status: 421 })
      expect(await rejectionOf(c.refresh(tokens.refreshToken!))).toMatchObject({ status: 421 })
      expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    })

    it("sends a session's rotating refresh token once on renewal when the token endpoint answers 421", async () => {
      const c = pool.make(hopperProvider(sb), { transport: layer() })
      const tokens = await login(c, "bea")
      await expireLocally(c, "bea", tokens)
      sb.stats.reset()
      sb.faults.next("cryptohopper.token", { kind: "status", status: 421 })
      expect(await rejectionOf(c.getAccessToken({ session: "bea" }))).toMatchObject({ status: 421 })
      expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    })

    it("gets a Cryptofuse token, which django-oauth-toolkit only reads from a body with Content-Length", async () => {
      const c = pool.make(fuseProvider(sb), { transport: layer() })
      const tokens = await c.clientCredentials({ scopes: ["read"] })
      expect(tokens.scopes).toEqual(["read"])
    })
  })
})
