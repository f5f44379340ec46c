import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { ConfigError, createOAuthClient, Providers, type OAuthClient } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import { RedisStores, redisStores } from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"

const url = inject("redisUrl")

// Two "instances" of one app: each has its own Redis connection and its own OAuth client.
describe("createOAuthClient with Redis stores", () => {
  let sandbox: Sandbox
  const cleanups: Array<() => Promise<unknown>> = []
  beforeAll(async () => {
    sandbox = await startSandbox({ consent: "approve" })
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await sandbox.stop()
  })

  const instance = async (make: (redis: Awaited<ReturnType<typeof rawClient>>) => OAuthClient) => {
    const redis = await rawClient(url)
    const client = make(redis)
    cleanups.push(
      () => redis.close(),
      () => client.dispose(),
    )
    return client
  }

  it("has several instances share one client-credentials token: one token request in all", async () => {
    const prefix = uniquePrefix("facade")
    const provider = Providers.cryptofuse({
      clientId: "fuse-client",
      clientSecret: "fuse-secret-with/special+chars",
      baseUrl: sandbox.cryptofuse.baseUrl,
      allowInsecureHttp: true,
    })
    const [one, two] = await Promise.all(
      [1, 2].map(() =>
        instance((redis) => {
          const stores = redisStores(redis, { prefix })
          cleanups.push(() => stores.refreshLock.close())
          return createOAuthClient(provider, { ...stores })
        }),
      ),
    )
    const before = sandbox.stats.tokenRequests("cryptofuse")
    const tokens = await Promise.all(
      Array.from({ length: 40 }, (_, i) => ((i % 2 === 0 ? one : two) as OAuthClient).getAccessToken()),
    )
    expect(sandbox.stats.tokenRequests("cryptofuse") - before).toBe(1)
    expect(new Set(tokens.map((t) => Redacted.value(t))).size).toBe(1)
  })

  it("finishes on one instance a login started on another, and shares the session", async () => {
    const prefix = uniquePrefix("facade")
    const provider = Providers.cryptohopper({
      clientId: "hopper-app",
      clientSecret: "hopper-secret",
      redirectUri: "http://127.0.0.1/callback",
      endpoints: {
        authorization: sandbox.cryptohopper.authorizationEndpoint,
        token: sandbox.cryptohopper.tokenEndpoint,
        revocation: sandbox.cryptohopper.revocationEndpoint,
        api: sandbox.cryptohopper.apiBase,
      },
      allowInsecureHttp: true,
    })
    // The same Layer value for all three stores is built once: one connection per instance.
    const stores = RedisStores.layer({ url, prefix })
    const [one, two] = await Promise.all(
      [1, 2].map(() =>
        instance(() =>
          createOAuthClient(provider, { tokenStore: stores, stateStore: stores, refreshLock: stores }),
        ),
      ),
    )
    const request = await one!.authorizationUrl()
    const consent = await fetch(request.url, { redirect: "manual" })
    const callback = consent.headers.get("location")
    expect(callback).toContain(`state=${request.state}`)

    const tokens = await two!.handleCallback(callback!, { session: "user-1" })
    const fromOne = await one!.getAccessToken({ session: "user-1" })
    expect(Redacted.value(fromOne)).toBe(Redacted.value(tokens.accessToken))

    // The state was consumed in Redis: replaying the callback on the first instance fails.
    await expect(one!.handleCallback(callback!)).rejects.toMatchObject({ _tag: "StateMismatch" })
  })
})

// Stores by construction on a real redis-server: the lock comes with the store, and a Redis token
// store alone beside the in-memory lock is refused.
describe("Redis stores by construction", () => {
  let rotating: Sandbox
  const cleanups: Array<() => Promise<unknown>> = []
  beforeAll(async () => {
    rotating = await startSandbox({ consent: "approve", rotateRefreshTokens: true })
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await rotating.stop()
  })
  const hopper = () =>
    Providers.cryptohopper({
      clientId: "hopper-app",
      clientSecret: "hopper-secret",
      redirectUri: "http://127.0.0.1/callback",
      endpoints: {
        authorization: rotating.cryptohopper.authorizationEndpoint,
        token: rotating.cryptohopper.tokenEndpoint,
        api: rotating.cryptohopper.apiBase,
      },
    })
  const track = (client: OAuthClient) => {
    cleanups.push(() => client.dispose())
    return client
  }
  /** Logs a user in on `one`, then marks the stored token expired so the next call refreshes. */
  const loginExpired = async (one: OAuthClient, session: string) => {
    const request = await one.authorizationUrl()
    const consent = await fetch(request.url, { redirect: "manual" })
    const tokens = await one.handleCallback(consent.headers.get("location")!, { session })
    await one.setSession(session, { ...tokens, expiresAt: new Date(Date.now() - 1_000) })
    return tokens
  }

  it("uses RedisStores.layer's lock when it is given as tokenStore alone: two instances spend a rotating refresh token once", async () => {
    const prefix = uniquePrefix("by-construction")
    const [one, two] = [1, 2].map(() =>
      track(createOAuthClient(hopper(), { tokenStore: RedisStores.layer({ url, prefix }) })),
    ) as [OAuthClient, OAuthClient]
    await loginExpired(one, "ursula")
    const before = rotating.stats.tokenRequests("cryptohopper")
    const got = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).getAccessToken({ session: "ursula" })),
    )
    expect(rotating.stats.tokenRequests("cryptohopper") - before).toBe(1)
    expect(new Set(got.map((t) => Redacted.value(t))).size).toBe(1)
  })

  it("takes token store, state store and lock from one `stores` option", async () => {
    const prefix = uniquePrefix("by-construction")
    const [one, two] = [1, 2].map(() =>
      track(createOAuthClient(hopper(), { stores: RedisStores.layer({ url, prefix }) })),
    ) as [OAuthClient, OAuthClient]
    // A login started on one instance finishes on the other: the state store is Redis too.
    const request = await one.authorizationUrl()
    const consent = await fetch(request.url, { redirect: "manual" })
    const tokens = await two.handleCallback(consent.headers.get("location")!, { session: "viktor" })
    await two.setSession("viktor", { ...tokens, expiresAt: new Date(Date.now() - 1_000) })
    const before = rotating.stats.tokenRequests("cryptohopper")
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).getAccessToken({ session: "viktor" })),
    )
    expect(rotating.stats.tokenRequests("cryptohopper") - before).toBe(1)
  })

  it("refuses a Redis token store given alone as an implementation, naming the fix", async () => {
    const redis = await rawClient(url)
    cleanups.push(() => redis.close())
    const stores = redisStores(redis, { prefix: uniquePrefix("by-construction") })
    cleanups.push(() => stores.refreshLock.close())
    expect(() => createOAuthClient(hopper(), { tokenStore: stores.tokenStore })).toThrow(ConfigError)
    expect(() => createOAuthClient(hopper(), { tokenStore: stores.tokenStore })).toThrow(
      /stores: RedisStores\.layer/,
    )
    // With its lock it is fine.
    track(createOAuthClient(hopper(), { tokenStore: stores.tokenStore, refreshLock: stores.refreshLock }))
  })
})
