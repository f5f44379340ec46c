import { fork, type ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest"
import { StoreError } from "@grantflow/core"
import { redisRefreshLock, type RedisRefreshLockService } from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"

const url = inject("redisUrl")
let a: Awaited<ReturnType<typeof rawClient>>
let b: Awaited<ReturnType<typeof rawClient>>
const locks: Array<RedisRefreshLockService> = []
const lockOn = (client: typeof a, options: Parameters<typeof redisRefreshLock>[1]) => {
  const lock = redisRefreshLock(client, options)
  locks.push(lock)
  return lock
}
beforeAll(async () => {
  a = await rawClient(url)
  b = await rawClient(url)
})
afterAll(async () => {
  await Promise.all(locks.map((l) => l.close()))
  await Promise.all([a.close(), b.close()])
})

describe("RedisRefreshLock", () => {
  it("lets only one of 50 concurrent fibers on two connections inside at a time", async () => {
    const prefix = uniquePrefix("lock")
    const lockA = lockOn(a, { prefix })
    const lockB = lockOn(b, { prefix })
    let inside = 0
    let overlaps = 0
    let counter = 0
    const work = Effect.gen(function* () {
      if (++inside > 1) overlaps++
      const read = counter
      yield* Effect.sleep(1)
      counter = read + 1
      inside--
    })
    await Effect.runPromise(
      Effect.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? lockA : lockB).withLock("session", work)),
        { concurrency: "unbounded" },
      ),
    )
    expect(overlaps).toBe(0)
    expect(counter).toBe(50)
    expect(await a.exists(`${prefix}lock:session`)).toBe(0)
  })

  it("returns the work's value and fails with the work's own error, releasing the lock either way", async () => {
    const prefix = uniquePrefix("lock")
    const lock = lockOn(a, { prefix })
    expect(await Effect.runPromise(lock.withLock("k", Effect.succeed(42)))).toBe(42)
    const error = await Effect.runPromise(
      Effect.flip(lock.withLock("k", Effect.fail("refresh failed" as const))),
    )
    expect(error).toBe("refresh failed")
    expect(await a.exists(`${prefix}lock:k`)).toBe(0)
  })

  it("releases the lock when the work is interrupted", async () => {
    const prefix = uniquePrefix("lock")
    const lock = lockOn(a, { prefix })
    await Effect.runPromise(
      Effect.gen(function* () {
        const entered = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          lock.withLock("k", Effect.andThen(Deferred.succeed(entered, undefined), Effect.never)),
        )
        yield* Deferred.await(entered)
        expect(yield* Effect.promise(() => a.exists(`${prefix}lock:k`))).toBe(1)
        yield* Fiber.interrupt(fiber)
      }),
    )
    expect(await a.exists(`${prefix}lock:k`)).toBe(0)
  })

  it("fails a waiter with a StoreError 'lock timeout' when the holder keeps the lock past waitMs", async () => {
    const prefix = uniquePrefix("lock")
    const holder = lockOn(a, { prefix })
    const waiter = lockOn(b, { prefix })
    const error = await Effect.runPromise(
      Effect.gen(function* () {
        const entered = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const held = yield* Effect.forkChild(
          holder.withLock("k", Effect.andThen(Deferred.succeed(entered, undefined), Deferred.await(release))),
        )
        yield* Deferred.await(entered)
        const error = yield* Effect.flip(
          waiter.withLock("k", Effect.succeed("should not run"), { waitMs: 100 }),
        )
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(held)
        return error
      }),
    )
    expect(error).toBeInstanceOf(StoreError)
    expect(error.detail).toContain("lock timeout")
  })

  it("hands the lock to a waiter as soon as the holder releases it", async () => {
    const prefix = uniquePrefix("lock")
    const holder = lockOn(a, { prefix })
    const waiter = lockOn(b, { prefix })
    const order: Array<string> = []
    await Effect.runPromise(
      Effect.gen(function* () {
        const entered = yield* Deferred.make<void>()
        const held = yield* Effect.forkChild(
          holder.withLock(
            "k",
            Effect.gen(function* () {
              yield* Deferred.succeed(entered, undefined)
              yield* Effect.sleep(50)
              order.push("holder done")
            }),
          ),
        )
        yield* Deferred.await(entered)
        yield* waiter.withLock(
          "k",
          Effect.sync(() => order.push("waiter in")),
          { waitMs: 5000 },
        )
        yield* Fiber.join(held)
      }),
    )
    expect(order).toEqual(["holder done", "waiter in"])
  })

  it("keeps a slow holder's lock alive past its ttl, so no second holder enters", async () => {
    const prefix = uniquePrefix("lock")
    const holder = lockOn(a, { prefix })
    const waiter = lockOn(b, { prefix })
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        const entered = yield* Deferred.make<void>()
        const held = yield* Effect.forkChild(
          // A ttl of seconds: renewal runs every ttl/3, and a loaded CI machine can stall an event
          // loop for longer than a few hundred milliseconds. The holder still outlives its ttl 2.5x.
          holder.withLock("k", Effect.andThen(Deferred.succeed(entered, undefined), Effect.sleep(6000)), {
            ttlMs: 2400,
          }),
        )
        yield* Deferred.await(entered)
        const exit = yield* Effect.exit(waiter.withLock("k", Effect.void, { waitMs: 4500 }))
        yield* Fiber.join(held)
        return exit
      }),
    )
    expect(Exit.isFailure(exit)).toBe(true)
  })

  it("does not let a holder whose lock expired release the lock of the holder after it", async () => {
    const prefix = uniquePrefix("lock")
    // Without renewal, a holder paused longer than its ttl (GC, blocked event loop) loses the lock.
    const stale = lockOn(a, { prefix, lockRenewal: false })
    const next = lockOn(b, { prefix })
    const third = lockOn(b, { prefix })
    const key = `${prefix}lock:k`
    await Effect.runPromise(
      Effect.gen(function* () {
        const staleIn = yield* Deferred.make<void>()
        const staleMayFinish = yield* Deferred.make<void>()
        const staleFiber = yield* Effect.forkChild(
          stale.withLock(
            "k",
            Effect.andThen(Deferred.succeed(staleIn, undefined), Deferred.await(staleMayFinish)),
            {
              ttlMs: 150,
            },
          ),
        )
        yield* Deferred.await(staleIn)
        const nextIn = yield* Deferred.make<void>()
        const nextMayFinish = yield* Deferred.make<void>()
        const nextFiber = yield* Effect.forkChild(
          next.withLock(
            "k",
            Effect.andThen(Deferred.succeed(nextIn, undefined), Deferred.await(nextMayFinish)),
            {
              waitMs: 5000,
            },
          ),
        )
        yield* Deferred.await(nextIn)
        const nextToken = yield* Effect.promise(() => a.get(key))
        expect(nextToken).toBeTypeOf("string")

        // The stale holder finishes and tries to release: the lock is no longer its own.
        yield* Deferred.succeed(staleMayFinish, undefined)
        yield* Fiber.join(staleFiber)
        expect(yield* Effect.promise(() => a.get(key))).toBe(nextToken)
        const exit = yield* Effect.exit(third.withLock("k", Effect.void, { waitMs: 100 }))
        expect(Exit.isFailure(exit)).toBe(true)

        yield* Deferred.succeed(nextMayFinish, undefined)
        yield* Fiber.join(nextFiber)
      }),
    )
    expect(await a.exists(key)).toBe(0)
  })

  it("announces each release on <prefix>lock-released, naming the lock", async () => {
    const prefix = uniquePrefix("lock")
    const listener = a.duplicate()
    listener.on("error", () => {})
    await listener.connect()
    try {
      const heard: Array<string> = []
      await listener.subscribe(`${prefix}lock-released`, (message) => heard.push(message))
      const lock = lockOn(b, { prefix })
      await Effect.runPromise(lock.withLock("k", Effect.void))
      await Effect.runPromise(lock.withLock("k", Effect.void))
      await vi.waitFor(() => expect(heard).toEqual([`${prefix}lock:k`, `${prefix}lock:k`]))
    } finally {
      listener.destroy()
    }
  })

  it(
    "stops waiting when the waiter is interrupted, and never takes the lock afterwards",
    { timeout: 5000 },
    async () => {
      const prefix = uniquePrefix("lock")
      const holder = lockOn(a, { prefix })
      const waiter = lockOn(b, { prefix })
      let waiterRan = false
      await Effect.runPromise(
        Effect.gen(function* () {
          const entered = yield* Deferred.make<void>()
          const release = yield* Deferred.make<void>()
          const held = yield* Effect.forkChild(
            holder.withLock(
              "k",
              Effect.andThen(Deferred.succeed(entered, undefined), Deferred.await(release)),
            ),
          )
          yield* Deferred.await(entered)
          const waiting = yield* Effect.forkChild(
            waiter.withLock(
              "k",
              Effect.sync(() => (waiterRan = true)),
              { waitMs: 60_000 },
            ),
          )
          yield* Effect.sleep(50)
          yield* Fiber.interrupt(waiting)
          yield* Deferred.succeed(release, undefined)
          yield* Fiber.join(held)
        }),
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(waiterRan).toBe(false)
      expect(await a.exists(`${prefix}lock:k`)).toBe(0)
    },
  )

  it("works through a RESP2 client with a keyPrefix of its own", async () => {
    const prefix = uniquePrefix("lock")
    const resp2 = await rawClient(url, { RESP: 2, keyPrefix: "app1:" })
    try {
      const lock = lockOn(resp2, { prefix })
      let overlaps = 0
      let inside = 0
      const work = Effect.gen(function* () {
        if (++inside > 1) overlaps++
        expect(yield* Effect.promise(() => a.exists(`app1:${prefix}lock:k`))).toBe(1)
        yield* Effect.sleep(1)
        inside--
      })
      await Effect.runPromise(
        Effect.all(
          Array.from({ length: 10 }, () => lock.withLock("k", work)),
          { concurrency: "unbounded" },
        ),
      )
      expect(overlaps).toBe(0)
      expect(await a.exists(`app1:${prefix}lock:k`)).toBe(0)
    } finally {
      await resp2.close()
    }
  })
})

describe("RedisRefreshLock across processes", () => {
  const fixture = fileURLToPath(new URL("./fixtures/lockContender.mjs", import.meta.url))
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url))
  const children: Array<ChildProcess> = []
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  })
  const start = (...args: Array<string>) => {
    const child = fork(fixture, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    children.push(child)
    return child
  }
  const message = <A>(child: ChildProcess) =>
    new Promise<A>((resolve, reject) => {
      child.once("message", (m) => resolve(m as A))
      child.once("exit", (code) => reject(new Error(`child exited with ${code} before reporting`)))
    })

  it("lets exactly one of four Node processes inside at a time", async () => {
    expect(existsSync(dist), "build the package first: pnpm --filter @grantflow/redis build").toBe(true)
    const prefix = uniquePrefix("procs")
    const reports = await Promise.all(
      [1, 2, 3, 4].map(() => message<{ overlaps: number }>(start("contend", url, prefix, "25"))),
    )
    expect(reports.map((r) => r.overlaps)).toEqual([0, 0, 0, 0])
    expect(await a.get(`${prefix}counter`)).toBe("100")
  })

  it("lets the lock of a killed holder expire so another process gets it", async () => {
    expect(existsSync(dist), "build the package first: pnpm --filter @grantflow/redis build").toBe(true)
    const prefix = uniquePrefix("procs")
    const holder = start("hold", url, prefix)
    await message<{ acquired: boolean }>(holder)
    const lock = lockOn(a, { prefix })
    const whileAlive = await Effect.runPromise(
      Effect.exit(lock.withLock("held", Effect.void, { waitMs: 100 })),
    )
    expect(Exit.isFailure(whileAlive)).toBe(true)

    const exited = new Promise((resolve) => holder.once("exit", resolve))
    holder.kill("SIGKILL")
    await exited
    expect(await Effect.runPromise(lock.withLock("held", Effect.succeed("mine"), { waitMs: 5000 }))).toBe(
      "mine",
    )
  })
})
