// Sessions in the store and the in-process memo in front of it, against the sandbox.
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { MemoryTokenStore, TokenStore } from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { sandboxPerFile, expireLocally, login, stored } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve" })
const pool = env.pool

/** A memory store that counts reads. */
const countingStore = () => {
  const inner = MemoryTokenStore.make()
  let reads = 0
  const store = TokenStore.of({
    ...inner,
    get: (key) => Effect.suspend(() => (reads++, inner.get(key))),
  })
  return { inner, store, reads: () => reads }
}

describe("sessions and the in-process cache", { timeout: 30_000 }, () => {
  it("serves a fresh token from memory without reading the store on every call", async () => {
    const { store, reads } = countingStore()
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }), { tokenStore: store })
    await c.getAccessToken()
    const before = reads()
    for (let i = 0; i < 100; i++) await c.getAccessToken()
    expect(reads()).toBe(before)
  })

  it("reads the store on every call when the memo is turned off", async () => {
    const { store, reads } = countingStore()
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }), {
      tokenStore: store,
      tokenManager: { maxCachedSessions: 0 },
    })
    await c.getAccessToken()
    const before = reads()
    for (let i = 0; i < 10; i++) await c.getAccessToken()
    expect(reads()).toBe(before + 10)
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("stops serving a cached token as soon as its session is cleared", async () => {
    const c = pool.make(hopperProvider(env.sb))
    await login(c, "quinn")
    await c.getAccessToken({ session: "quinn" })
    await c.clearSession("quinn")
    expect(await rejectionOf(c.getAccessToken({ session: "quinn" }))).toMatchObject({
      _tag: "LoginRequired",
      reason: "no-session",
    })
  })

  it("serves the tokens of a new login right away", async () => {
    const c = pool.make(hopperProvider(env.sb))
    await login(c, "rosa")
    await c.getAccessToken({ session: "rosa" })
    const again = await login(c, "rosa")
    expect(Redacted.value(await c.getAccessToken({ session: "rosa" }))).toBe(
      Redacted.value(again.accessToken),
    )
  })

  it("lets a refresh in progress finish before a logout, so the refresh cannot bring the session back", async () => {
    const provider = hopperProvider(env.sb)
    const tokenStore = MemoryTokenStore.make()
    const c = pool.make(provider, { tokenStore })
    const tokens = await login(c, "sam")
    await expireLocally(c, "sam", tokens)
    env.sb.faults.next("cryptohopper.token", { kind: "delay", ms: 300 })
    env.sb.stats.reset()
    const refreshing = c.getAccessToken({ session: "sam" })
    while (env.sb.stats.tokenRequests("cryptohopper") === 0) await new Promise((r) => setTimeout(r, 5))
    await c.clearSession("sam")
    // The refresh completed (its callers get its token) and then the logout removed the session.
    await expect(refreshing).resolves.toBeDefined()
    expect(await stored(tokenStore, provider, { session: "sam" })).toBeUndefined()
    expect(await rejectionOf(c.getAccessToken({ session: "sam" }))).toMatchObject({ _tag: "LoginRequired" })
  })

  it("does not let a refresh in progress overwrite a new login's tokens", async () => {
    const provider = hopperProvider(env.sb)
    const tokenStore = MemoryTokenStore.make()
    const c = pool.make(provider, { tokenStore })
    const old = await login(c, "tara")
    const fresh = await c.refresh(old.refreshToken!)
    await expireLocally(c, "tara", old)
    env.sb.faults.next("cryptohopper.token", { kind: "delay", ms: 300 })
    env.sb.stats.reset()
    const refreshing = c.getAccessToken({ session: "tara" })
    while (env.sb.stats.tokenRequests("cryptohopper") === 0) await new Promise((r) => setTimeout(r, 5))
    await c.setSession("tara", fresh)
    await refreshing
    const kept = (await stored(tokenStore, provider, { session: "tara" }))!
    expect(Redacted.value(kept.accessToken)).toBe(Redacted.value(fresh.accessToken))
    expect(Redacted.value(await c.getAccessToken({ session: "tara" }))).toBe(
      Redacted.value(fresh.accessToken),
    )
  })

  it("keeps another session's renewal in its memo when one session logs out meanwhile", async () => {
    const { store, reads } = countingStore()
    const c = pool.make(hopperProvider(env.sb), { tokenStore: store })
    const tokens = await login(c, "uli")
    await login(c, "val")
    await expireLocally(c, "uli", tokens)
    env.sb.faults.next("cryptohopper.token", { kind: "delay", ms: 300 })
    env.sb.stats.reset()
    const refreshing = c.getAccessToken({ session: "uli" })
    while (env.sb.stats.tokenRequests("cryptohopper") === 0) await new Promise((r) => setTimeout(r, 5))
    await c.clearSession("val")
    const renewed = await refreshing
    const before = reads()
    expect(Redacted.value(await c.getAccessToken({ session: "uli" }))).toBe(Redacted.value(renewed))
    // Served from the memo the renewal wrote: the other session's logout did not void it.
    expect(reads()).toBe(before)
  })

  it("refuses an empty session key with ConfigError before any request", async () => {
    const c = pool.make(hopperProvider(env.sb))
    expect(await rejectionOf(c.getAccessToken({ session: "" }))).toMatchObject({ _tag: "ConfigError" })
    expect(env.sb.stats.requests()).toBe(0)
  })
})
