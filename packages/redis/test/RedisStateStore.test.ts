import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { encodePending, type PendingAuthorization } from "@grantflow/core"
import { redisStateStore } from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"

const url = inject("redisUrl")
let clients: Array<Awaited<ReturnType<typeof rawClient>>> = []
beforeAll(async () => {
  clients = await Promise.all([1, 2, 3, 4].map(() => rawClient(url)))
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
})

const pending = (state: string, ttlMs = 600_000): PendingAuthorization => ({
  state,
  providerId: "cryptohopper",
  codeVerifier: Redacted.make("verifier-secret-xyz"),
  redirectUri: "http://127.0.0.1:3000/callback",
  scopes: ["read", "user"],
  nonce: "n-1",
  createdAt: Date.now(),
  expiresAt: Date.now() + ttlMs,
})

describe("RedisStateStore", () => {
  it("stores what encodePending wrote, hands it out once with a Redacted verifier, then never again", async () => {
    const prefix = uniquePrefix("state")
    const store = redisStateStore(clients[0]!, { prefix })
    const written = pending("state-1")
    await Effect.runPromise(store.put(written))
    expect(await clients[0]!.get(`${prefix}state:state-1`)).toBe(encodePending(written))

    const taken = Option.getOrThrow(await Effect.runPromise(store.take("state-1")))
    expect(Redacted.isRedacted(taken.codeVerifier)).toBe(true)
    expect(taken.codeVerifier && Redacted.value(taken.codeVerifier)).toBe("verifier-secret-xyz")
    expect(JSON.stringify(taken)).not.toContain("verifier-secret-xyz")
    expect({ ...taken, codeVerifier: undefined }).toEqual({ ...written, codeVerifier: undefined })

    expect(Option.isNone(await Effect.runPromise(store.take("state-1")))).toBe(true)
    expect(await clients[0]!.exists(`${prefix}state:state-1`)).toBe(0)
  })

  it("gives a state to exactly one of many concurrent takes over several connections", async () => {
    const prefix = uniquePrefix("state")
    const stores = clients.map((c) => redisStateStore(c, { prefix }))
    for (let round = 0; round < 10; round++) {
      const state = `race-${round}`
      await Effect.runPromise(stores[0]!.put(pending(state)))
      const results = await Effect.runPromise(
        Effect.all(
          Array.from({ length: 24 }, (_, i) => stores[i % stores.length]!.take(state)),
          { concurrency: "unbounded" },
        ),
      )
      expect(results.filter(Option.isSome)).toHaveLength(1)
    }
  })

  it("keeps a real user's pending login through 10,000 newer ones: nothing is evicted by count", async () => {
    const store = redisStateStore(clients[0]!, { prefix: uniquePrefix("flood") })
    await Effect.runPromise(store.put(pending("real-user")))
    await Effect.runPromise(
      Effect.forEach(
        Array.from({ length: 10_000 }, (_, i) => pending(`flood-${i}`)),
        (p) => store.put(p),
        {
          concurrency: 50,
          discard: true,
        },
      ),
    )
    const taken = await Effect.runPromise(store.take("real-user"))
    expect(Option.map(taken, (p) => p.state)).toEqual(Option.some("real-user"))
  })

  it("expires a pending request at its expiresAt", async () => {
    const prefix = uniquePrefix("state")
    const store = redisStateStore(clients[0]!, { prefix })
    await Effect.runPromise(store.put(pending("short", 500)))
    const ttl = await clients[0]!.pTTL(`${prefix}state:short`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(500)
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(Option.isNone(await Effect.runPromise(store.take("short")))).toBe(true)
  })

  it("does not store a request that has already expired", async () => {
    const prefix = uniquePrefix("state")
    const store = redisStateStore(clients[0]!, { prefix })
    await Effect.runPromise(store.put(pending("late", -1000)))
    expect(await clients[0]!.exists(`${prefix}state:late`)).toBe(0)
    expect(Option.isNone(await Effect.runPromise(store.take("late")))).toBe(true)
  })

  it("refuses a stored request whose expiresAt has passed even if Redis still holds it", async () => {
    const prefix = uniquePrefix("state")
    const stale = pending("stale", -1000)
    // Another instance with a clock ahead of ours wrote it with a longer TTL.
    await clients[0]!.set(`${prefix}state:stale`, encodePending(stale), {
      expiration: { type: "PX", value: 60_000 },
    })
    const store = redisStateStore(clients[0]!, { prefix })
    expect(Option.isNone(await Effect.runPromise(store.take("stale")))).toBe(true)
  })
})
