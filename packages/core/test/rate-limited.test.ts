// Issue 12, hole 6: a 429 whose body is not an OAuth error (a gateway's text or HTML page) is
// still a typed "come back later" carrying the server's Retry-After, against a real local server.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Providers } from "../src/index.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { type AnswerServer, startAnswerServer } from "./helpers/answerServer.js"
import { rejectionOf } from "./helpers/sandbox.js"

let server: AnswerServer
const pool = clientPool()
beforeAll(async () => {
  server = await startAnswerServer()
})
afterAll(async () => {
  await pool.disposeAll()
  await server.stop()
})

const clientAt = (tokenEndpoint: string) => {
  const c = pool.make(
    Providers.generic({ tokenEndpoint, clientId: "app", clientSecret: "app-secret" }),
    {
      retries: 0,
    },
  )
  return c
}

describe("a rate-limited token endpoint", () => {
  it.each([
    ["plain text", "text/plain", "Too Many Requests"],
    ["an HTML page", "text/html", "<html><body><h1>429 Too Many Requests</h1></body></html>"],
    ["no body", undefined, ""],
    ["JSON without an OAuth error", "application/json", '{"message":"slow down"}'],
  ])(
    "answering 429 with %s gives OAuthServerError temporarily_unavailable with retryAfter",
    async (_n, type, body) => {
      const endpoint = server.serve({
        status: 429,
        headers: { "retry-after": "7", ...(type === undefined ? {} : { "content-type": type }) },
        body,
      })
      expect(await rejectionOf(clientAt(endpoint).clientCredentials())).toMatchObject({
        _tag: "OAuthServerError",
        error: "temporarily_unavailable",
        status: 429,
        retryAfter: 7,
      })
    },
  )

  it("reads a Retry-After given as an HTTP date", async () => {
    const endpoint = server.serve({
      status: 429,
      headers: { "retry-after": new Date(Date.now() + 120_000).toUTCString(), "content-type": "text/plain" },
      body: "busy",
    })
    const e = await rejectionOf(clientAt(endpoint).clientCredentials())
    expect(e).toMatchObject({ _tag: "OAuthServerError", status: 429 })
    expect(e["retryAfter"]).toBeGreaterThan(100)
    expect(e["retryAfter"]).toBeLessThanOrEqual(121)
  })

  it("treats a 503 with Retry-After and a maintenance page the same way", async () => {
    const endpoint = server.serve({
      status: 503,
      headers: { "retry-after": "30", "content-type": "text/html" },
      body: "<html><body>Down for maintenance</body></html>",
    })
    expect(await rejectionOf(clientAt(endpoint).clientCredentials())).toMatchObject({
      _tag: "OAuthServerError",
      error: "temporarily_unavailable",
      status: 503,
      retryAfter: 30,
    })
  })
})
