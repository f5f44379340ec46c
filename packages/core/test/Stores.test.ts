// Stores by construction: one option for all three services, a Layer's extra services used, and a
// shared token store beside the in-memory lock refused. The Redis side (a real redis-server) is in
// packages/redis/test/createOAuthClient.test.ts.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  ConfigError,
  MemoryRefreshLock,
  MemoryStateStore,
  MemoryTokenStore,
  RefreshLock,
  StateStore,
  TokenStore,
  createOAuthClient,
} from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool, expireLocally, login } from "./helpers/tokenLifecycle.js"

let sb: Sandbox
const pool = clientPool()
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterEach(async () => {
  sb.stats.reset()
  await pool.disposeAll()
})
afterAll(() => sb.stop())

/** A token store as another process could see it: nothing says it is process-local. */
const sharedStore = (): TokenStore["Service"] => {
  const { processLocal: _, ...rest } = MemoryTokenStore.make()
  return TokenStore.of(rest)
}

/** A lock that is not the in-memory one (as a Redis lock would be), counting its use. */
const countingLock = () => {
  const inner = MemoryRefreshLock.make()
  let uses = 0
  const lock = RefreshLock.of({
    withLock: (key, effect, options) => Effect.suspend(() => (uses++, inner.withLock(key, effect, options))),
  })
  return { lock, uses: () => uses }
}

describe("a shared token store beside the in-memory refresh lock", () => {
  it("is refused at once with a ConfigError that names the fix", () => {
    let error: unknown
    try {
      createOAuthClient(fuseProvider(sb), { tokenStore: sharedStore() })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).reason).toMatch(/refresh lock is in memory/)
    expect((error as ConfigError).reason).toMatch(/stores: RedisStores\.layer/)
    expect((error as ConfigError).reason).toMatch(/processLocal: true/)
  })

  it("is refused on the first call when the store comes as a Layer, and no token is requested", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), {
      tokenStore: Layer.succeed(TokenStore, sharedStore()),
    })
    expect(await rejectionOf(c.getAccessToken())).toMatchObject({ _tag: "ConfigError" })
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(0)
  })

  it("is refused when the in-memory lock is passed explicitly too", () => {
    expect(() =>
      createOAuthClient(fuseProvider(sb), {
        tokenStore: sharedStore(),
        refreshLock: MemoryRefreshLock.make(),
      }),
    ).toThrow(ConfigError)
  })

  it("is accepted when the store declares itself process-local", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), {
      tokenStore: TokenStore.of({ ...sharedStore(), processLocal: true }),
    })
    await c.getAccessToken()
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("is accepted with a lock that is not the in-memory one", async () => {
    const { lock, uses } = countingLock()
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), {
      tokenStore: sharedStore(),
      refreshLock: lock,
    })
    await c.getAccessToken()
    expect(uses()).toBe(1)
  })
})

describe("stores by construction", { timeout: 20_000 }, () => {
  it("uses the lock of a Layer given as tokenStore, not the in-memory one", async () => {
    const { lock, uses } = countingLock()
    const both = Layer.succeedContext(
      Context.make(TokenStore, sharedStore()).pipe(Context.add(RefreshLock, lock)),
    )
    const c = pool.make(hopperProvider(sb), { tokenStore: both })
    const tokens = await login(c, "uma")
    await expireLocally(c, "uma", tokens)
    const before = uses()
    await c.getAccessToken({ session: "uma" })
    expect(uses()).toBeGreaterThan(before)
  })

  it("takes all three services from one `stores` Layer, built once", async () => {
    const { lock, uses } = countingLock()
    let builds = 0
    let stateWrites = 0
    const state = MemoryStateStore.make()
    const stores = Layer.effectContext(
      Effect.sync(() => {
        builds++
        return Context.make(TokenStore, sharedStore()).pipe(
          Context.add(RefreshLock, lock),
          Context.add(
            StateStore,
            StateStore.of({ ...state, put: (p) => Effect.suspend(() => (stateWrites++, state.put(p))) }),
          ),
        )
      }),
    )
    const c = pool.make(hopperProvider(sb), { stores, stateStore: stores })
    const tokens = await login(c, "vera")
    expect(stateWrites).toBe(1)
    await expireLocally(c, "vera", tokens)
    await c.getAccessToken({ session: "vera" })
    expect(uses()).toBeGreaterThan(0)
    expect(builds).toBe(1)
  })

  it("lets an explicit per-service option win over the `stores` Layer", async () => {
    const fromLayer = countingLock()
    const explicit = countingLock()
    const stores = Layer.succeedContext(
      Context.make(TokenStore, sharedStore()).pipe(Context.add(RefreshLock, fromLayer.lock)),
    )
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), { stores, refreshLock: explicit.lock })
    await c.getAccessToken()
    expect(explicit.uses()).toBe(1)
    expect(fromLayer.uses()).toBe(0)
  })
})
