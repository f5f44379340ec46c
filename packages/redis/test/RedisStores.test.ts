import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest"
import { RefreshLock, StateStore, StoreError, TokenStore, type TokenSet } from "@grantflow/core"
import {
  RedisRefreshLock,
  RedisStateStore,
  RedisStores,
  RedisTokenStore,
  redisTokenStore,
} from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"
import { startRedisServer, type RedisServer } from "./support/redisServer.js"

const url = inject("redisUrl")

const tokens: TokenSet = {
  accessToken: Redacted.make("at-secret-stores"),
  tokenType: "Bearer",
  expiresAt: new Date(Date.now() + 3_600_000),
  refreshToken: Redacted.make("rt-secret-stores"),
  scopes: [],
  raw: {},
}

/** The ids of the connections redis-server currently holds (CLIENT LIST). */
const clientIds = async (client: Awaited<ReturnType<typeof rawClient>>) =>
  new Set((await client.clientList()).map((c) => c.id))

describe("RedisStores.layer", () => {
  it("provides TokenStore, StateStore and RefreshLock on one Redis under one prefix", async () => {
    const prefix = uniquePrefix("stores")
    const program = Effect.gen(function* () {
      const tokenStore = yield* TokenStore
      const stateStore = yield* StateStore
      const lock = yield* RefreshLock
      yield* lock.withLock("user:1", tokenStore.set("user:1", tokens))
      yield* stateStore.put({
        state: "st",
        providerId: "p",
        codeVerifier: undefined,
        redirectUri: undefined,
        scopes: [],
        createdAt: Date.now(),
        expiresAt: Date.now() + 60_000,
      })
      return [yield* tokenStore.get("user:1"), yield* stateStore.take("st")] as const
    })
    const [stored, taken] = await Effect.runPromise(
      program.pipe(Effect.provide(RedisStores.layer({ url, prefix }))),
    )
    expect(Option.map(stored, (t) => Redacted.value(t.accessToken))).toEqual(Option.some("at-secret-stores"))
    expect(Option.isSome(taken)).toBe(true)
    const raw = await rawClient(url)
    try {
      expect(await raw.exists(`${prefix}token:user:1`)).toBe(1)
    } finally {
      await raw.close()
    }
  })

  it("offers each store as its own layer too", async () => {
    const prefix = uniquePrefix("stores")
    const program = Effect.gen(function* () {
      const tokenStore = yield* TokenStore
      const lock = yield* RefreshLock
      yield* lock.withLock("s", tokenStore.set("s", tokens))
      return (
        Option.isSome(yield* tokenStore.get("s")) && Option.isNone(yield* (yield* StateStore).take("nope"))
      )
    })
    const layers = Layer.mergeAll(
      RedisTokenStore.layer({ url, prefix }),
      RedisStateStore.layer({ url, prefix }),
      RedisRefreshLock.layer({ url, prefix }),
    )
    expect(await Effect.runPromise(program.pipe(Effect.provide(layers)))).toBe(true)
  })
})

describe("RedisStores connection handling", () => {
  let server: RedisServer
  let observer: Awaited<ReturnType<typeof rawClient>>
  beforeAll(async () => {
    server = await startRedisServer()
    observer = await rawClient(server.url)
  })
  afterAll(async () => {
    observer.destroy()
    await server.stop()
  })

  it("closes the connection it opened for a url when its scope ends, and leaves a given client open", async () => {
    const before = await clientIds(observer)
    const during = await Effect.runPromise(
      Effect.promise(() => clientIds(observer)).pipe(Effect.provide(RedisStores.layer({ url: server.url }))),
    )
    const opened = [...during].filter((id) => !before.has(id))
    expect(opened).toHaveLength(1)
    // The layer's close() has resolved, but redis-server drops the socket when it reads the EOF,
    // which may come after the observer's next CLIENT LIST: wait (bounded) for that one id to go,
    // rather than counting connections at one instant.
    await vi.waitFor(async () => expect(await clientIds(observer)).not.toContain(opened[0]), {
      timeout: 10_000,
      interval: 20,
    })

    const mine = await rawClient(server.url)
    try {
      await Effect.runPromise(
        TokenStore.use((s) => s.get("x")).pipe(Effect.provide(RedisStores.layer({ client: mine }))),
      )
      expect(mine.isOpen).toBe(true)
      expect(await mine.ping()).toBe("PONG")
    } finally {
      await mine.close()
    }
  })

  it("fails to build with a StoreError when nothing listens at the url", async () => {
    const stopped = await startRedisServer()
    await stopped.stop()
    const error = await Effect.runPromise(
      Effect.flip(
        Effect.provide(
          TokenStore.use((s) => s.get("x")),
          RedisStores.layer({ url: stopped.url, commandTimeoutMs: 1000 }),
        ),
      ),
    )
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).operation).toBe("connect")
  })

  it("fails operations with a StoreError, without hanging, while Redis does not answer", async () => {
    const own = await startRedisServer()
    const given = await rawClient(own.url)
    try {
      const store = redisTokenStore(given, { commandTimeoutMs: 300 })
      await Effect.runPromise(store.set("s", tokens))
      own.process.kill("SIGSTOP")
      const paused = await Effect.runPromise(Effect.flip(store.get("s")))
      expect(paused).toBeInstanceOf(StoreError)
      expect(paused.detail).toContain("no answer")

      own.process.kill("SIGCONT")
      await own.stop()
      // A client with node-redis' default offline queue would wait for a reconnect forever.
      const gone = await Effect.runPromise(Effect.flip(store.set("s", tokens)))
      expect(gone).toBeInstanceOf(StoreError)
      expect(`${gone.message} ${JSON.stringify(gone)}`).not.toContain("secret")
    } finally {
      given.destroy()
      own.process.kill("SIGCONT")
      await own.stop()
    }
  })

  it("fails at once with a StoreError when the Redis behind a layer's own connection goes away", async () => {
    const own = await startRedisServer()
    const error = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* TokenStore
        yield* store.set("s", tokens)
        yield* Effect.promise(() => own.stop())
        return yield* Effect.flip(store.get("s"))
      }).pipe(Effect.provide(RedisStores.layer({ url: own.url }))),
    )
    expect(error).toBeInstanceOf(StoreError)
    expect(error.operation).toBe("TokenStore.get")
  })
})
