import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import * as FileName from "../src/FileName.js"
import * as FileRefreshLock from "../src/FileRefreshLock.js"

const KEY = "cryptohopper:hopper-app:default"
let directory: string
let lockFile: string

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "grantflow-lock-"))
  await mkdir(join(directory, "locks"), { recursive: true, mode: 0o700 })
  lockFile = join(directory, "locks", `${FileName.of(KEY)}.lock`)
})
afterEach(() => rm(directory, { recursive: true, force: true }))

const holder = (pid: number, expiresAt: number, token = "someone-else") =>
  writeFile(lockFile, JSON.stringify({ token, pid, host: hostname(), expiresAt }), { mode: 0o600 })

/** The pid of a process that ran and is gone. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  })
  return Number(child.stdout)
}

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromiseExit(effect)

describe("FileRefreshLock", () => {
  it("takes over at once a lock left by a process of this machine that no longer exists", async () => {
    await holder(deadPid(), Date.now() + 3_600_000)
    const lock = FileRefreshLock.make({ directory, waitMs: 5_000 })
    const exit = await run(
      lock.withLock(
        KEY,
        Effect.sync(() => existsSync(lockFile)),
      ),
    )
    expect(exit).toEqual(Exit.succeed(true))
    expect(existsSync(lockFile)).toBe(false)
  })

  it("waits for a live holder and fails with a StoreError naming the file when it does not let go", async () => {
    await holder(process.pid, Date.now() + 3_600_000)
    const lock = FileRefreshLock.make({ directory })
    let ran = false
    const exit = await run(
      lock.withLock(
        KEY,
        Effect.sync(() => (ran = true)),
        { waitMs: 300 },
      ),
    )
    expect(ran).toBe(false)
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit)
      ? (exit.cause.reasons[0] as { error?: { _tag: string; detail: string } }).error
      : undefined
    expect(error?._tag).toBe("StoreError")
    expect(error?.detail).toContain(`${lockFile} is held by another grantflow process`)
    // The live holder's lock is untouched.
    expect(JSON.parse(await readFile(lockFile, "utf8")).token).toBe("someone-else")
  })

  it("takes over a lock whose time is up, even when its holder still runs", async () => {
    await holder(process.pid, Date.now() - 1)
    const lock = FileRefreshLock.make({ directory, waitMs: 5_000 })
    expect(await run(lock.withLock(KEY, Effect.succeed("renewed")))).toEqual(Exit.succeed("renewed"))
  })

  it("releases only its own lock, not one another process took over meanwhile", async () => {
    const lock = FileRefreshLock.make({ directory })
    const exit = await run(
      lock.withLock(
        KEY,
        Effect.promise(() => holder(process.pid, Date.now() + 60_000, "the-next-holder")),
      ),
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(JSON.parse(await readFile(lockFile, "utf8")).token).toBe("the-next-holder")
  })

  it("lets one holder at a time in, also within one process", async () => {
    const lock = FileRefreshLock.make({ directory })
    let inside = 0
    let most = 0
    const section = lock.withLock(
      KEY,
      Effect.gen(function* () {
        inside++
        most = Math.max(most, inside)
        yield* Effect.promise(() => readFile(lockFile, "utf8"))
        inside--
      }),
    )
    const exit = await run(Effect.all([section, section, section, section], { concurrency: "unbounded" }))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(most).toBe(1)
    expect(existsSync(lockFile)).toBe(false)
  })
})
