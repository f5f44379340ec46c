import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { encodeTokenSet, StoreError, type TokenSet } from "@grantflow/core"
import { redisTokenStore } from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"

const url = inject("redisUrl")
let client: Awaited<ReturnType<typeof rawClient>>
beforeAll(async () => {
  client = await rawClient(url)
})
afterAll(async () => {
  await client.close()
})

const tokens = (overrides: Partial<TokenSet> = {}): TokenSet => ({
  accessToken: Redacted.make("at-secret-0123456789"),
  tokenType: "Bearer",
  expiresAt: new Date(Date.now() + 3_600_000),
  refreshToken: Redacted.make("rt-secret-9876543210"),
  scopes: ["read", "trade"],
  idToken: Redacted.make("id-secret-abcdef"),
  raw: { account_id: "acc-1" },
  ...overrides,
})

describe("RedisTokenStore", () => {
  it("stores exactly what encodeTokenSet wrote and reads back a TokenSet whose secrets are Redacted", async () => {
    const prefix = uniquePrefix("token")
    const store = redisTokenStore(client, { prefix })
    const written = tokens()
    await Effect.runPromise(store.set("cryptofuse:app:user:1", written))

    expect(await client.get(`${prefix}token:cryptofuse:app:user:1`)).toBe(encodeTokenSet(written))

    const read = Option.getOrThrow(await Effect.runPromise(store.get("cryptofuse:app:user:1")))
    expect(Redacted.isRedacted(read.accessToken)).toBe(true)
    expect(Redacted.value(read.accessToken)).toBe("at-secret-0123456789")
    expect(read.refreshToken && Redacted.value(read.refreshToken)).toBe("rt-secret-9876543210")
    expect(read.idToken && Redacted.value(read.idToken)).toBe("id-secret-abcdef")
    expect(read.expiresAt?.getTime()).toBe(written.expiresAt?.getTime())
    expect(read.scopes).toEqual(["read", "trade"])
    expect(read.raw).toEqual({ account_id: "acc-1" })
    for (const shown of [String(read.accessToken), JSON.stringify(read), inspect(read, { depth: 5 })]) {
      expect(shown).not.toContain("secret")
    }
  })

  it("finds nothing for a session it never stored", async () => {
    const store = redisTokenStore(client, { prefix: uniquePrefix("token") })
    expect(Option.isNone(await Effect.runPromise(store.get("nobody")))).toBe(true)
  })

  it("forgets a deleted session", async () => {
    const prefix = uniquePrefix("token")
    const store = redisTokenStore(client, { prefix })
    await Effect.runPromise(store.set("s", tokens()))
    await Effect.runPromise(store.delete("s"))
    expect(Option.isNone(await Effect.runPromise(store.get("s")))).toBe(true)
    expect(await client.exists(`${prefix}token:s`)).toBe(0)
  })

  it("keeps a session that has a refresh token without expiry, so it outlives its access token", async () => {
    const prefix = uniquePrefix("token")
    const store = redisTokenStore(client, { prefix })
    await Effect.runPromise(store.set("s", tokens({ expiresAt: new Date(Date.now() + 1000) })))
    expect(await client.pTTL(`${prefix}token:s`)).toBe(-1)
  })

  it("gives a session with a refresh token the configured sessionTtlMs, never less than its access token's lifetime", async () => {
    const prefix = uniquePrefix("token")
    const store = redisTokenStore(client, { prefix, sessionTtlMs: 7 * 24 * 3_600_000 })
    await Effect.runPromise(store.set("week", tokens()))
    const week = await client.pTTL(`${prefix}token:week`)
    expect(week).toBeGreaterThan(6 * 24 * 3_600_000)
    expect(week).toBeLessThanOrEqual(7 * 24 * 3_600_000)

    const short = redisTokenStore(client, { prefix, sessionTtlMs: 1000 })
    await Effect.runPromise(short.set("long-token", tokens({ expiresAt: new Date(Date.now() + 3_600_000) })))
    expect(await client.pTTL(`${prefix}token:long-token`)).toBeGreaterThan(3_600_000)
  })

  it("lets a token set without refresh token expire with its access token plus the grace window", async () => {
    const prefix = uniquePrefix("token")
    const store = redisTokenStore(client, { prefix, expiryGraceMs: 30_000 })
    await Effect.runPromise(
      store.set("cc", tokens({ refreshToken: undefined, expiresAt: new Date(Date.now() + 60_000) })),
    )
    const ttl = await client.pTTL(`${prefix}token:cc`)
    expect(ttl).toBeGreaterThan(60_000)
    expect(ttl).toBeLessThanOrEqual(90_000)
  })

  it("no longer returns a token set without refresh token once it expired from Redis", async () => {
    const prefix = uniquePrefix("token")
    const store = redisTokenStore(client, { prefix, expiryGraceMs: 0 })
    await Effect.runPromise(
      store.set("cc", tokens({ refreshToken: undefined, expiresAt: new Date(Date.now() + 500) })),
    )
    expect(Option.isSome(await Effect.runPromise(store.get("cc")))).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(Option.isNone(await Effect.runPromise(store.get("cc")))).toBe(true)
  })

  it("fails with a StoreError that does not repeat a stored value it cannot decode", async () => {
    const prefix = uniquePrefix("token")
    await client.set(`${prefix}token:broken`, '{"accessToken":"at-secret-leak", truncated')
    const store = redisTokenStore(client, { prefix })
    const error = await Effect.runPromise(Effect.flip(store.get("broken")))
    expect(error).toBeInstanceOf(StoreError)
    expect(error.operation).toBe("TokenStore.get")
    expect(`${error.message} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain("at-secret-leak")
  })
})
