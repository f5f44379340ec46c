// The in-memory token store drops sessions that can no longer produce a token and keeps a bound.
// Time is the TestClock's; the store is the real one (it is the thing under test).
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { describe, expect, it } from "vitest"
import { ConfigError, MemoryTokenStore, type TokenSet } from "../src/index.js"

const run = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(effect.pipe(Effect.provide(TestClock.layer())))

const tokens = (expiresAt: number | undefined, refresh: boolean): TokenSet => ({
  accessToken: Redacted.make("at"),
  tokenType: "Bearer",
  expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
  refreshToken: refresh ? Redacted.make("rt") : undefined,
  scopes: [],
  raw: {},
})

const has = (store: ReturnType<typeof MemoryTokenStore.make>, key: string) =>
  Effect.map(store.get(key), Option.isSome)

describe("MemoryTokenStore", () => {
  it("drops sessions that expired without a refresh token at its next sweep, and keeps every usable one", async () => {
    const result = await run(
      Effect.gen(function* () {
        const store = MemoryTokenStore.make()
        // TestClock starts at 0: these live for one minute.
        yield* store.set("dead-soon", tokens(60_000, false))
        yield* store.set("renewable", tokens(60_000, true))
        yield* store.set("long-lived", tokens(3_600_000, false))
        yield* store.set("no-expiry", tokens(undefined, false))
        yield* TestClock.adjust("2 minutes")
        // Enough writes for a sweep.
        for (let i = 0; i < 1024; i++) yield* store.set(`filler-${i}`, tokens(3_600_000, false))
        return {
          deadSoon: yield* has(store, "dead-soon"),
          renewable: yield* has(store, "renewable"),
          longLived: yield* has(store, "long-lived"),
          noExpiry: yield* has(store, "no-expiry"),
        }
      }),
    )
    expect(result).toEqual({ deadSoon: false, renewable: true, longLived: true, noExpiry: true })
  })

  it("drops the least recently used session beyond maxSessions, dead ones first", async () => {
    const result = await run(
      Effect.gen(function* () {
        const store = MemoryTokenStore.make({ maxSessions: 3 })
        yield* store.set("a", tokens(3_600_000, true))
        yield* store.set("b", tokens(3_600_000, true))
        yield* store.set("dead", tokens(1_000, false))
        yield* TestClock.adjust("1 minute")
        yield* store.set("c", tokens(3_600_000, true))
        const deadKept = yield* has(store, "dead")
        // "a" was just read, so "b" is the least recently used.
        yield* store.get("a")
        yield* store.set("d", tokens(3_600_000, true))
        return {
          deadKept,
          a: yield* has(store, "a"),
          b: yield* has(store, "b"),
          c: yield* has(store, "c"),
          d: yield* has(store, "d"),
        }
      }),
    )
    expect(result).toEqual({ deadKept: false, a: true, b: false, c: true, d: true })
  })

  it("refuses a bound below one with ConfigError", () => {
    expect(() => MemoryTokenStore.make({ maxSessions: 0 })).toThrow(ConfigError)
  })
})
