// Renewal before expiry, rotation, persistence order and invalid_grant, against the sandbox.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { MemoryRefreshLock, MemoryTokenStore, StoreError, TokenStore, type TokenSet } from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool, expireLocally, login, sleep, stored } from "./helpers/tokenLifecycle.js"

let sb: Sandbox
let rotating: Sandbox
let shortLived: Sandbox
const pool = clientPool()

beforeAll(async () => {
  ;[sb, rotating, shortLived] = await Promise.all([
    startSandbox({ consent: "approve" }),
    startSandbox({ consent: "approve", rotateRefreshTokens: true }),
    startSandbox({ consent: "approve", accessTokenTtlSeconds: { cryptohopper: 3, cryptofuse: 3 } }),
  ])
})
afterEach(async () => {
  for (const s of [sb, rotating, shortLived]) {
    s.faults.clear()
    s.stats.reset()
  }
  await pool.disposeAll()
})
afterAll(() => Promise.all([sb.stop(), rotating.stop(), shortLived.stop()]))

describe("renewal before expiry", { timeout: 30_000 }, () => {
  it("serves a 3-second client-credentials token from cache, then renews it inside the skew window while it is still valid", async () => {
    const provider = fuseProvider(shortLived, { scopes: ["read"] })
    // No jitter: the refresh point is exactly half the lifetime (the 60 s skew capped to 50 %).
    const c = pool.make(provider, { tokenManager: { jitterFraction: 0 } })
    const first = await c.getAccessToken()
    const obtainedAt = Date.now()
    for (let i = 0; i < 20; i++) expect(Redacted.value(await c.getAccessToken())).toBe(Redacted.value(first))
    expect(shortLived.stats.tokenRequests("cryptofuse")).toBe(1)

    await sleep(obtainedAt + 1_600 - Date.now())
    const second = await c.getAccessToken()
    expect(Redacted.value(second)).not.toBe(Redacted.value(first))
    expect(shortLived.stats.tokenRequests("cryptofuse")).toBe(2)
    // Renewed early: the old token is still accepted by the API.
    const res = await fetch(`${shortLived.cryptofuse.baseUrl}/rates/`, {
      headers: { authorization: `Bearer ${Redacted.value(first)}` },
    })
    expect(res.status).toBe(200)
  })

  it("refreshes a user's 3-second token inside the skew window with its refresh token", async () => {
    const c = pool.make(hopperProvider(shortLived), { tokenManager: { jitterFraction: 0 } })
    const tokens = await login(c, "hana")
    const loggedInAt = Date.now()
    expect(Redacted.value(await c.getAccessToken({ session: "hana" }))).toBe(
      Redacted.value(tokens.accessToken),
    )
    shortLived.stats.reset()

    await sleep(loggedInAt + 1_600 - Date.now())
    const next = await c.getAccessToken({ session: "hana" })
    expect(Redacted.value(next)).not.toBe(Redacted.value(tokens.accessToken))
    expect(shortLived.stats.tokenRequests("cryptohopper")).toBe(1)
    const res = await fetch(`${shortLived.cryptohopper.apiBase}/user/get`, {
      headers: { "access-token": Redacted.value(tokens.accessToken) },
    })
    expect(res.status).toBe(200)
  })

  it("hands out a session's token without a refresh token until it really expires, then asks for a login and deletes it", async () => {
    const provider = hopperProvider(sb)
    const tokenStore = MemoryTokenStore.make()
    const c = pool.make(provider, { tokenStore })
    const tokens = await login(c, "ivan")
    // Inside the 60 s skew window, but nothing to refresh with: still good for 30 s.
    await c.setSession("ivan", {
      ...tokens,
      refreshToken: undefined,
      expiresAt: new Date(Date.now() + 30_000),
    })
    sb.stats.reset()
    expect(Redacted.value(await c.getAccessToken({ session: "ivan" }))).toBe(
      Redacted.value(tokens.accessToken),
    )
    await c.setSession("ivan", { ...tokens, refreshToken: undefined, expiresAt: new Date(Date.now() - 1) })
    expect(await rejectionOf(c.getAccessToken({ session: "ivan" }))).toMatchObject({
      _tag: "LoginRequired",
      reason: "no-refresh-token",
    })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(0)
    // Such a session can never produce a token again: it is gone from the store.
    expect(await stored(tokenStore, provider, { session: "ivan" })).toBeUndefined()
  })

  it("refreshes on demand with forceRefresh, once for concurrent callers", async () => {
    const c = pool.make(hopperProvider(sb))
    const tokens = await login(c, "jane")
    sb.stats.reset()
    const forced = await Promise.all(
      Array.from({ length: 10 }, () => c.getAccessToken({ session: "jane", forceRefresh: true })),
    )
    expect(new Set(forced.map(Redacted.value)).size).toBe(1)
    expect(Redacted.value(forced[0]!)).not.toBe(Redacted.value(tokens.accessToken))
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })
})

describe("rotation and persistence", { timeout: 60_000 }, () => {
  it("loses no session when two instances refresh a rotating session concurrently, round after round", async () => {
    const provider = hopperProvider(rotating)
    // Two app instances in one process: their own clients and memos, one store and one lock.
    const tokenStore = MemoryTokenStore.make()
    const refreshLock = MemoryRefreshLock.make()
    const a = pool.make(provider, { tokenStore, refreshLock })
    const b = pool.make(provider, { tokenStore, refreshLock })
    const first = await login(a, "kim")
    let previous = first.refreshToken!
    for (let round = 0; round < 5; round++) {
      rotating.expireAccessTokens()
      rotating.stats.reset()
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).fetch("/user/get", { session: "kim" })),
      )
      expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 60 }, () => 200))
      expect(rotating.stats.tokenRequests("cryptohopper")).toBe(1)
      const now = (await stored(tokenStore, provider, { session: "kim" }))!
      expect(Redacted.value(now.refreshToken!)).not.toBe(Redacted.value(previous))
      previous = now.refreshToken!
    }
    // The refresh token in the store is the live one: the server accepts it.
    await expect(a.refresh(previous)).resolves.toMatchObject({ tokenType: "Bearer" })
  })

  it("keeps the old refresh token when the refresh answer carries none", async () => {
    const provider = hopperProvider(sb)
    const tokenStore = MemoryTokenStore.make()
    const c = pool.make(provider, { tokenStore })
    const tokens = await login(c, "lee")
    await expireLocally(c, "lee", tokens)
    await c.getAccessToken({ session: "lee" })
    const after = (await stored(tokenStore, provider, { session: "lee" }))!
    expect(Redacted.value(after.accessToken)).not.toBe(Redacted.value(tokens.accessToken))
    expect(Redacted.value(after.refreshToken!)).toBe(Redacted.value(tokens.refreshToken!))
    expect(after.scopes).toEqual(tokens.scopes)
  })

  it("writes a rotated token set to the store before any caller gets it", async () => {
    const provider = hopperProvider(rotating)
    const inner = MemoryTokenStore.make()
    const events: Array<string> = []
    const slowStore = TokenStore.of({
      // A wrapper of a memory store, used by this process only.
      processLocal: true,
      get: inner.get,
      delete: inner.delete,
      set: (key, tokens) =>
        Effect.sync(() => events.push("store: write started")).pipe(
          Effect.andThen(Effect.sleep(300)),
          Effect.andThen(inner.set(key, tokens)),
          Effect.andThen(
            Effect.sync(() => events.push(`store: wrote ${Redacted.value(tokens.accessToken)}`)),
          ),
        ),
    })
    const c = pool.make(provider, { tokenStore: slowStore })
    const tokens = await login(c, "max")
    await expireLocally(c, "max", tokens)
    events.length = 0
    const got = await Promise.all(
      [0, 1, 2].map((i) =>
        c.getAccessToken({ session: "max" }).then((t) => {
          events.push(`caller ${i}: got ${Redacted.value(t)}`)
          return t
        }),
      ),
    )
    const token = Redacted.value(got[0]!)
    expect(events).toEqual([
      "store: write started",
      `store: wrote ${token}`,
      `caller 0: got ${token}`,
      `caller 1: got ${token}`,
      `caller 2: got ${token}`,
    ])
    const persisted = (await stored(inner, provider, { session: "max" }))!
    expect(Redacted.value(persisted.refreshToken!)).not.toBe(Redacted.value(tokens.refreshToken!))
  })

  it("fails the callers with StoreError rather than hand out tokens the store could not keep", async () => {
    const provider = fuseProvider(sb, { scopes: ["read"] })
    const inner = MemoryTokenStore.make()
    let writes = 0
    const broken = TokenStore.of({
      // A wrapper of a memory store, used by this process only.
      processLocal: true,
      get: inner.get,
      delete: inner.delete,
      set: () =>
        Effect.suspend(() => {
          writes++
          return Effect.fail(new StoreError({ operation: "TokenStore.set", detail: "disk full" }))
        }),
    })
    const c = pool.make(provider, { tokenStore: broken })
    const errors = await Promise.all([1, 2, 3].map(() => rejectionOf(c.getAccessToken())))
    for (const e of errors) expect(e).toMatchObject({ _tag: "StoreError", operation: "TokenStore.set" })
    // Tried a few times before giving up, for one token request.
    expect(writes).toBeGreaterThan(1)
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })
})

describe("a refresh token the server refuses", { timeout: 30_000 }, () => {
  it("deletes the session and asks for a login, once, instead of refreshing in a loop", async () => {
    const provider = hopperProvider(sb)
    const tokenStore = MemoryTokenStore.make()
    const c = pool.make(provider, { tokenStore })
    const tokens = await login(c, "nina")
    await c.revoke(tokens.refreshToken!, { hint: "refresh_token" })
    await expireLocally(c, "nina", tokens)
    sb.stats.reset()
    const errors = await Promise.all(
      Array.from({ length: 10 }, () => rejectionOf(c.getAccessToken({ session: "nina" }))),
    )
    for (const e of errors)
      expect(e).toMatchObject({ _tag: "LoginRequired", reason: "refresh-token-rejected" })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(await stored(tokenStore, provider, { session: "nina" })).toBeUndefined()

    expect(await rejectionOf(c.fetch("/user/get", { session: "nina" }))).toMatchObject({
      _tag: "LoginRequired",
      reason: "no-session",
    })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
  })

  it("keeps the session when its refresh token was rotated away by another instance meanwhile", async () => {
    const provider = hopperProvider(rotating)
    const tokenStore = MemoryTokenStore.make()
    const c = pool.make(provider, { tokenStore })
    const tokens = await login(c, "omar")
    // Another instance refreshed (rotating the refresh token) but this one still sees the old set,
    // as when a lock expired under a slow holder: a store that answers the stale set once.
    const fresh: TokenSet = await c.refresh(tokens.refreshToken!)
    const key = `${provider.id}:${provider.client.clientId}:user:omar`
    await Effect.runPromise(tokenStore.set(key, fresh))
    // Two stale reads: before the lock and right after taking it.
    let staleReads = 2
    const lagging = TokenStore.of({
      ...tokenStore,
      get: (k) =>
        k === key && staleReads-- > 0
          ? Effect.succeed(Option.some({ ...tokens, expiresAt: new Date(Date.now() - 1) }))
          : tokenStore.get(k),
    })
    const d = pool.make(provider, { tokenStore: lagging })
    rotating.stats.reset()
    const token = await d.getAccessToken({ session: "omar" })
    // The old refresh token was refused (one request), and the session survived.
    expect(rotating.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(Redacted.value(token)).toBe(Redacted.value(fresh.accessToken))
    const kept = (await stored(tokenStore, provider, { session: "omar" }))!
    expect(Redacted.value(kept.refreshToken!)).toBe(Redacted.value(fresh.refreshToken!))
  })
})
