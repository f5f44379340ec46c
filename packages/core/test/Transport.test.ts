import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { gzipSync } from "node:zlib"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HttpTransport, type TransportOptions, parseRetryAfter } from "../src/index.js"
import { squashExit } from "../src/internal/runPromise.js"

// A plain local server: the sandbox has no fault that sends an oversized body.
let server: Server
let base: string
let lastHeaders: IncomingHttpHeaders = {}
beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers
    if (req.url === "/huge") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end("x".repeat(2 * 1024 * 1024))
    } else if (req.url === "/huge-chunked") {
      // No Content-Length: the cap has to count the bytes as they come.
      res.writeHead(200, { "content-type": "application/json" })
      for (let i = 0; i < 32; i++) res.write("x".repeat(64 * 1024))
      res.end()
    } else if (req.url === "/gzip") {
      // Compressed although nobody asked: fetch inflates it, and so must every engine.
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
      res.end(gzipSync('{"ok":"inflated"}'))
    } else if (req.url === "/gzip-bomb") {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
      res.end(gzipSync("x".repeat(4 * 1024 * 1024)))
    } else if (req.url === "/redirect") {
      res.writeHead(302, { location: "/ok" })
      res.end()
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

const engines: ReadonlyArray<readonly [string, (o: TransportOptions) => HttpTransport["Service"]]> = [
  ["the default transport", (o) => HttpTransport.make(o)],
  ["the undici transport", (o) => HttpTransport.undici(o)],
  ["the fetch transport", (o) => HttpTransport.fetch(o)],
]

describe.each(engines)("HTTP transport: %s", (_name, make) => {
  const send = (path: string, maxBodyBytes?: number) =>
    Effect.runPromiseExit(make({ maxBodyBytes }).request({ method: "GET", url: base + path })).then(
      squashExit,
    )

  it("returns status, lower-case headers and the body text", async () => {
    const res = await send("/ok")
    expect(res).toMatchObject({ status: 200, body: '{"ok":true}' })
    expect(res.headers["content-type"]).toBe("application/json")
  })

  it("refuses a body larger than the cap with InvalidResponse", async () => {
    await expect(send("/huge", 1024 * 1024)).rejects.toMatchObject({ _tag: "InvalidResponse", status: 200 })
  })

  it("refuses a chunked body that grows past the cap with InvalidResponse", async () => {
    await expect(send("/huge-chunked", 1024 * 1024)).rejects.toMatchObject({
      _tag: "InvalidResponse",
      status: 200,
    })
  })

  it("reads a gzip body that came unasked as its inflated text", async () => {
    expect(await send("/gzip")).toMatchObject({ status: 200, body: '{"ok":"inflated"}' })
  })

  it("refuses a gzip body that inflates past the cap with InvalidResponse", async () => {
    await expect(send("/gzip-bomb", 1024 * 1024)).rejects.toMatchObject({
      _tag: "InvalidResponse",
      status: 200,
    })
  })

  it("hands a redirect back instead of following it", async () => {
    const res = await send("/redirect")
    expect(res.status).toBe(302)
    expect(res.headers["location"]).toBe("/ok")
  })

  it("reports a refused connection as a network TransportError with its code and no query", async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const exit = Effect.runPromiseExit(
      make({ retries: 0 }).request({ method: "GET", url: `http://127.0.0.1:${port}/t?secret=s3` }),
    ).then(squashExit)
    const e = await exit.catch((err: unknown) => err as Error & Record<string, unknown>)
    expect(e).toMatchObject({ _tag: "TransportError", reason: "network", code: "ECONNREFUSED" })
    expect((e as Error).message).not.toContain("s3")
  })
})

describe("HTTP transport", () => {
  it("sends through undici.request on Node by default, not through fetch", async () => {
    // fetch always announces itself (sec-fetch-mode, its accept-encoding); undici.request sends only what it is given.
    await Effect.runPromise(HttpTransport.make().request({ method: "GET", url: `${base}/ok` }))
    expect(lastHeaders["sec-fetch-mode"]).toBeUndefined()
    await Effect.runPromise(HttpTransport.fetch().request({ method: "GET", url: `${base}/ok` }))
    expect(lastHeaders["sec-fetch-mode"]).toBe("cors")
  })

  it("sends through fetch when the options give a fetch", async () => {
    let calls = 0
    const counted: typeof fetch = (input, init) => {
      calls++
      return fetch(input, init)
    }
    await Effect.runPromise(
      HttpTransport.make({ fetch: counted }).request({ method: "GET", url: `${base}/ok` }),
    )
    expect(calls).toBe(1)
  })

  it("parses Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("5", 0)).toBe(5000)
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000)
    expect(parseRetryAfter("soon", now)).toBeUndefined()
  })
})
