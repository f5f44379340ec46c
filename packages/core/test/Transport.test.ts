import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HttpTransport, parseRetryAfter } from "../src/index.js"
import { squashExit } from "../src/internal/runPromise.js"

// A plain local server: the sandbox has no fault that sends an oversized body.
let server: Server
let base: string
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/huge") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end("x".repeat(2 * 1024 * 1024))
    } else {
      res.writeHead(200, { "content-type": "application/json" })
      res.end('{"ok":true}')
    }
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  return new Promise<void>((r) => server.close(() => r()))
})

const send = (path: string, maxBodyBytes?: number) =>
  Effect.runPromiseExit(HttpTransport.make({ maxBodyBytes }).request({ method: "GET", url: base + path })).then(squashExit)

describe("HTTP transport", () => {
  it("returns status, lower-case headers and the body text", async () => {
    const res = await send("/ok")
    expect(res).toMatchObject({ status: 200, body: '{"ok":true}' })
    expect(res.headers["content-type"]).toBe("application/json")
  })

  it("refuses a body larger than the cap with InvalidResponse", async () => {
    await expect(send("/huge", 1024 * 1024)).rejects.toMatchObject({ _tag: "InvalidResponse", status: 200 })
  })

  it("reports a refused connection as a network TransportError with its code and no query", async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const exit = Effect.runPromiseExit(
      HttpTransport.make({ retries: 0 }).request({ method: "GET", url: `http://127.0.0.1:${port}/t?secret=s3` }),
    ).then(squashExit)
    const e = await exit.catch((err: unknown) => err as Error & Record<string, unknown>)
    expect(e).toMatchObject({ _tag: "TransportError", reason: "network", code: "ECONNREFUSED" })
    expect((e as Error).message).not.toContain("s3")
  })

  it("parses Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("5", 0)).toBe(5000)
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000)
    expect(parseRetryAfter("soon", now)).toBeUndefined()
  })
})
