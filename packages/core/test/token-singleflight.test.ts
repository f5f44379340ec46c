// One renewal per session, however many callers: against the sandbox, counting what reaches its
// token endpoint.
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { OAuth, createOAuthClient } from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { sandboxPerFile, expireLocally, login } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve" })
const pool = env.pool

const distinct = (tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
  new Set(tokens.map(Redacted.value)).size

describe("single-flight getAccessToken", { timeout: 30_000 }, () => {
  it("sends exactly one token request for 10,000 concurrent callers on a cold cache", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => c.getAccessToken()))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    expect(distinct(tokens)).toBe(1)
    // And later callers are served from the cache.
    await Promise.all(Array.from({ length: 1_000 }, () => c.getAccessToken()))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("does the same for 10,000 concurrent fibers of the Effect twin", async () => {
    const provider = fuseProvider(env.sb, { scopes: ["read"] })
    const tokens = await Effect.runPromise(
      Effect.all(
        Array.from({ length: 10_000 }, () => OAuth.getAccessToken(provider)),
        { concurrency: "unbounded" },
      ).pipe(Effect.provide(OAuth.layer())),
    )
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    expect(distinct(tokens)).toBe(1)
  })

  it("keeps one token per set of scopes, in any order", async () => {
    const c = pool.make(fuseProvider(env.sb))
    const [a, b, c2] = await Promise.all([
      c.getAccessToken({ scopes: ["read", "write"] }),
      c.getAccessToken({ scopes: ["write", "read"] }),
      c.getAccessToken({ scopes: ["read"] }),
    ])
    expect(Redacted.value(a)).toBe(Redacted.value(b))
    expect(Redacted.value(a)).not.toBe(Redacted.value(c2))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(2)
  })

  it("refreshes a user session once for 500 concurrent callers", async () => {
    const c = pool.make(hopperProvider(env.sb))
    const tokens = await login(c, "erin")
    await expireLocally(c, "erin", tokens)
    env.sb.stats.reset()
    const renewed = await Promise.all(
      Array.from({ length: 500 }, () => c.getAccessToken({ session: "erin" })),
    )
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(distinct(renewed)).toBe(1)
    expect(Redacted.value(renewed[0]!)).not.toBe(Redacted.value(tokens.accessToken))
  })

  it("does not cache a failed request: every waiting caller gets the typed error, the next call tries again", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    env.sb.faults.next("cryptofuse.token", {
      kind: "status",
      status: 400,
      body: JSON.stringify({ error: "invalid_request", error_description: "try again" }),
    })
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => c.getAccessToken()))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    for (const r of results) {
      expect(r.status).toBe("rejected")
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        _tag: "OAuthServerError",
        error: "invalid_request",
      })
    }
    await c.getAccessToken()
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(2)
  })

  it("fails every caller of a failed refresh with the typed error and keeps the session for the next try", async () => {
    const c = pool.make(hopperProvider(env.sb))
    const tokens = await login(c, "frank")
    await expireLocally(c, "frank", tokens)
    env.sb.stats.reset()
    // 503 without Retry-After: the server may have seen the refresh, so it is not retried.
    env.sb.faults.next("cryptohopper.token", {
      kind: "status",
      status: 503,
      body: JSON.stringify({ error: "temporarily_unavailable" }),
    })
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => c.getAccessToken({ session: "frank" })),
    )
    expect(results.every((r) => r.status === "rejected")).toBe(true)
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        _tag: "OAuthServerError",
        error: "temporarily_unavailable",
      })
    }
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(1)
    const next = await c.getAccessToken({ session: "frank" })
    expect(Redacted.value(next)).not.toBe(Redacted.value(tokens.accessToken))
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(2)
  })

  it("keeps the renewal going for everyone else when the caller that started it is interrupted", async () => {
    const provider = fuseProvider(env.sb, { scopes: ["read"] })
    env.sb.faults.next("cryptofuse.token", { kind: "delay", ms: 400 })
    const { first, others } = await Effect.runPromise(
      Effect.gen(function* () {
        const first = yield* Effect.forkChild(OAuth.getAccessToken(provider))
        // The first caller has started the renewal once the sandbox has the request.
        while (env.sb.stats.tokenRequests("cryptofuse") === 0) yield* Effect.sleep(5)
        const others = yield* Effect.forkChild(
          Effect.all(
            Array.from({ length: 20 }, () => OAuth.getAccessToken(provider)),
            { concurrency: "unbounded" },
          ),
        )
        yield* Effect.sleep(20)
        yield* Fiber.interrupt(first)
        return { first: yield* Fiber.await(first), others: yield* Fiber.await(others) }
      }).pipe(Effect.provide(OAuth.layer())),
    )
    expect(Exit.hasInterrupts(first)).toBe(true)
    expect(Exit.isSuccess(others)).toBe(true)
    expect(distinct(Exit.isSuccess(others) ? others.value : [])).toBe(1)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("rejects the callers of a renewal in progress when the client is disposed, instead of hanging", async () => {
    const c = createOAuthClient(fuseProvider(env.sb, { scopes: ["read"] }))
    env.sb.faults.next("cryptofuse.token", { kind: "delay", ms: 3_000 })
    const calls = Promise.allSettled([c.getAccessToken(), c.getAccessToken({ scopes: ["read"] })])
    while (env.sb.stats.tokenRequests("cryptofuse") === 0) await new Promise((r) => setTimeout(r, 5))
    await c.dispose()
    const results = await calls
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"])
  })

  it("asks for a session's tokens without a token request when the session is unknown", async () => {
    const c = pool.make(hopperProvider(env.sb))
    const errors = await Promise.all(
      Array.from({ length: 5 }, () => rejectionOf(c.getAccessToken({ session: "nobody" }))),
    )
    for (const e of errors) expect(e).toMatchObject({ _tag: "LoginRequired", reason: "no-session" })
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(0)
  })
})

describe("fetch with token renewal", { timeout: 30_000 }, () => {
  it("renews once for 50 concurrent calls refused with 401 invalid_token, and retries each", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    expect((await c.fetch("/rates/")).status).toBe(200)
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const responses = await Promise.all(Array.from({ length: 50 }, () => c.fetch("/rates/")))
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200))
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(100)
  })

  it("refreshes a user session once for 50 concurrent refused calls with Cryptohopper's access-token header", async () => {
    const c = pool.make(hopperProvider(env.sb, { appKeyHeader: true }))
    await login(c, "gina")
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => c.fetch("/user/get", { session: "gina" })),
    )
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200))
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })

  it("retries a POST whose string body can be sent again, and the body arrives intact", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read", "write"] }))
    await c.getAccessToken()
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const res = await c.fetch("/payments/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: "12.5", currency: "BTC", description: "replayed" }),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ amount: "12.5", currency: "BTC", description: "replayed" })
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(2)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("does not retry a stream body: returns the 401, and the next call has a renewed token", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read", "write"] }))
    await c.getAccessToken()
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ amount: "1", currency: "ETH" })))
        controller.close()
      },
    })
    const res = await c.fetch("/payments/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit)
    expect(res.status).toBe(401)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(1)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    expect((await c.fetch("/rates/")).status).toBe(200)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("sends a Request's own body once, as it cannot tell it from a stream", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read", "write"] }))
    await c.getAccessToken()
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const request = new Request(`${env.sb.cryptofuse.baseUrl}/payments/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: "2", currency: "BTC" }),
    })
    expect((await c.fetch(request)).status).toBe(401)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(1)
    // The same body given in init is replayed.
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const res = await c.fetch(`${env.sb.cryptofuse.baseUrl}/payments/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: "2", currency: "BTC" }),
    })
    expect(res.status).toBe(201)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(2)
  })

  it("returns the second answer when the renewed token is refused too, without a loop", async () => {
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    await c.getAccessToken()
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    env.sb.faults.next("cryptofuse.api", { kind: "status", status: 401, body: '{"detail":"no"}' }, 2)
    const res = await c.fetch("/rates/")
    expect(res.status).toBe(401)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(2)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })
})
