import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import { describe, expect, it } from "vitest"
import { MemoryStateStore, type PendingAuthorization } from "../src/index.js"

const pending = (state: string, now: number, ttlMs = 60_000): PendingAuthorization => ({
  state,
  providerId: "p",
  codeVerifier: undefined,
  redirectUri: undefined,
  scopes: [],
  createdAt: now,
  expiresAt: now + ttlMs,
})

const runTest = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(effect.pipe(Effect.provide(TestClock.layer())))

describe("MemoryStateStore at its bound", () => {
  it("refuses a new login instead of evicting a waiting one, and takes new ones again once the old expire", async () => {
    const result = await runTest(
      Effect.gen(function* () {
        const store = MemoryStateStore.make({ maxEntries: 3 })
        yield* store.put(pending("real-user", 0, 120_000))
        yield* store.put(pending("flood-1", 0))
        yield* store.put(pending("flood-2", 0))
        const refused = yield* Effect.flip(store.put(pending("flood-3", 0)))
        yield* TestClock.adjust(60_000)
        // The flood's requests expired; the real user's has not.
        yield* store.put(pending("later", 60_000))
        const real = yield* store.take("real-user")
        return { refused, real, flood: yield* store.take("flood-1") }
      }),
    )
    expect(result.refused).toMatchObject({ _tag: "StoreError", operation: "StateStore.put" })
    expect(Option.isSome(result.real)).toBe(true)
    expect(Option.isNone(result.flood)).toBe(true)
  })
})
