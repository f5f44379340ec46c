// Bounded renewal concurrency per manager, against the sandbox; in-flight token requests are
// counted by wrapping the real fetch the transport uses.
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { ConfigError, TokenManager, createOAuthClient } from "../src/index.js"
import { hopperProvider } from "./helpers/sandbox.js"
import { sandboxPerFile, expireLocally, login } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve", rotateRefreshTokens: true })
const pool = env.pool

/** The real fetch, counting token requests in flight at once. */
const countingFetch = () => {
  let inFlight = 0
  let most = 0
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const counted = url === env.sb.cryptohopper.tokenEndpoint
    if (counted) most = Math.max(most, ++inFlight)
    try {
      return await globalThis.fetch(input, init)
    } finally {
      if (counted) inFlight--
    }
  }
  return { fetch, most: () => most }
}

const expiredSessions = async (c: ReturnType<typeof createOAuthClient>, n: number) => {
  const names = Array.from({ length: n }, (_, i) => `storm-${i}`)
  for (const name of names) await expireLocally(c, name, await login(c, name))
  return names
}

describe("bounded renewals", { timeout: 30_000 }, () => {
  it("runs at most maxConcurrentRenewals renewals at once and renews every session", async () => {
    const counter = countingFetch()
    const c = pool.make(hopperProvider(env.sb), {
      fetch: counter.fetch,
      tokenManager: { maxConcurrentRenewals: 2 },
    })
    const names = await expiredSessions(c, 8)
    env.sb.stats.reset()
    env.sb.faults.next("cryptohopper.token", { kind: "delay", ms: 100 }, 8)
    const tokens = await Promise.all(names.map((session) => c.getAccessToken({ session })))
    expect(new Set(tokens.map(Redacted.value)).size).toBe(8)
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(8)
    expect(counter.most()).toBe(2)
  })

  it("does not count the time a renewal waits for a slot against the transport's timeout", async () => {
    // One slot, four renewals of 1.2 s each: the last waits about 3.6 s, longer than the 3 s timeout.
    // (Seconds, not milliseconds: a loaded CI machine stalls event loops for hundreds of ms.)
    const c = pool.make(hopperProvider(env.sb), {
      timeoutMs: 3_000,
      tokenManager: { maxConcurrentRenewals: 1 },
    })
    const names = await expiredSessions(c, 4)
    env.sb.stats.reset()
    env.sb.faults.next("cryptohopper.token", { kind: "delay", ms: 1_200 }, 4)
    const results = await Promise.allSettled(names.map((session) => c.getAccessToken({ session })))
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"])
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(4)
  })

  it("sends nothing for renewals still waiting for a slot when the client is disposed, and rejects them typed", async () => {
    const c = createOAuthClient(hopperProvider(env.sb), { tokenManager: { maxConcurrentRenewals: 1 } })
    const names = await expiredSessions(c, 5)
    env.sb.stats.reset()
    env.sb.faults.next("cryptohopper.token", { kind: "delay", ms: 2_000 })
    const calls = Promise.allSettled(names.map((session) => c.getAccessToken({ session })))
    while (env.sb.stats.tokenRequests("cryptohopper") === 0) await new Promise((r) => setTimeout(r, 5))
    await c.dispose()
    for (const r of await calls) {
      expect(r.status).toBe("rejected")
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        _tag: "ConfigError",
        reason: expect.stringMatching(/^disposed/),
      })
    }
    // Only the renewal that held the slot reached the server.
    expect(env.sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })

  it("refuses a bound below one with ConfigError", () => {
    expect(() => TokenManager.layer({ maxConcurrentRenewals: 0 })).toThrow(ConfigError)
    expect(() =>
      createOAuthClient(hopperProvider(env.sb), { tokenManager: { maxConcurrentRenewals: 1.5 } }),
    ).toThrow(ConfigError)
  })
})
