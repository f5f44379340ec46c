/**
 * A core `RefreshLock` across processes on one machine, on plain files: the lock of a session is
 * `<directory>/locks/<session>.lock`, created atomically with `link(2)` (it fails when the file
 * exists, like `O_EXCL`, and the file is never seen half-written). Two `grantflow token` runs on
 * an expired session therefore renew it once: the second waits, then reads the renewed token from
 * the store (a rotated refresh token spent twice would end the session).
 *
 * A holder that died leaves its lock behind. It is taken over when its time is up (`ttlMs`), or at
 * once when it was held by a process of this host that no longer exists. The takeover itself runs
 * under a short-lived `.break` file and re-reads the lock first, so a lock that another process
 * just took over is never removed by a slower one.
 *
 * @example
 * ```ts
 * import { FileRefreshLock } from "@grantflow/cli"
 * const refreshLock = FileRefreshLock.make({ directory: "/home/me/.local/state/grantflow" })
 * ```
 */
import { randomBytes } from "node:crypto"
import { link, open, readFile, stat, unlink } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { RefreshLock, StoreError } from "@grantflow/core"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as FileName from "./FileName.js"
import * as StateDirectory from "./StateDirectory.js"

export interface FileRefreshLockOptions {
  /** The state directory; locks go to its `locks/` folder. */
  readonly directory: string
  /** How long a lock holds when its holder neither releases it nor is seen dead (default 60 s). */
  readonly ttlMs?: number | undefined
  /** How long `withLock` waits for a held lock (default 60 s). */
  readonly waitMs?: number | undefined
}

const DEFAULT_TTL_MS = 60_000
const DEFAULT_WAIT_MS = 60_000
/** A `.break` file older than this belongs to a process that died while breaking a lock. */
const BREAKER_STALE_MS = 10_000

interface LockRecord {
  readonly token: string
  readonly pid: number
  readonly host: string
  /** Epoch ms (wall clock: the processes share no other clock). */
  readonly expiresAt: number
}

class Busy extends Data.TaggedError("Busy")<{}> {}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

const readRecord = async (file: string): Promise<LockRecord | undefined | "unreadable"> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    if (errno(error) === "ENOENT") return undefined
    throw error
  }
  try {
    const o = JSON.parse(text) as Partial<LockRecord>
    if (
      typeof o.token === "string" &&
      typeof o.pid === "number" &&
      typeof o.host === "string" &&
      typeof o.expiresAt === "number"
    ) {
      return o as LockRecord
    }
  } catch {
    // fall through
  }
  return "unreadable"
}

const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, it is just not ours.
    return errno(error) === "EPERM"
  }
}

const isStale = async (file: string, record: LockRecord | "unreadable", now: number): Promise<boolean> => {
  if (record === "unreadable") {
    // Never written by this lock (link makes ours whole); judge by age alone.
    const info = await stat(file).catch(() => undefined)
    return info === undefined || now - info.mtimeMs > DEFAULT_TTL_MS
  }
  if (record.expiresAt <= now) return true
  return record.host === hostname() && !processExists(record.pid)
}

const sameRecord = (a: LockRecord | undefined | "unreadable", b: LockRecord | "unreadable"): boolean =>
  a !== undefined && (a === "unreadable" || b === "unreadable" ? a === b : a.token === b.token)

/** Removes `file` if it still holds the stale `record`, under the `.break` file. */
const breakStale = async (file: string, record: LockRecord | "unreadable"): Promise<void> => {
  const breaker = `${file}.break`
  let handle
  try {
    handle = await open(breaker, "wx", 0o600)
  } catch (error) {
    if (errno(error) !== "EEXIST") throw error
    const info = await stat(breaker).catch(() => undefined)
    if (info !== undefined && Date.now() - info.mtimeMs > BREAKER_STALE_MS)
      await unlink(breaker).catch(() => undefined)
    return
  }
  try {
    await handle.close()
    if (sameRecord(await readRecord(file), record)) await unlink(file).catch(() => undefined)
  } finally {
    await unlink(breaker).catch(() => undefined)
  }
}

/** A RefreshLock over lock files in `options.directory`. */
export const make = (options: FileRefreshLockOptions): RefreshLock["Service"] => {
  const locks = join(options.directory, "locks")
  let ready: Promise<void> | undefined
  const ensureDirectory = () =>
    (ready ??= StateDirectory.ensurePrivate(options.directory).then(() =>
      StateDirectory.ensurePrivate(locks),
    ))

  const fileOf = (key: string) => join(locks, `${FileName.of(key)}.lock`)

  /** One attempt: the lock's token, or Busy. */
  const attempt = (file: string, ttlMs: number) =>
    Effect.tryPromise({
      try: async (): Promise<string | Busy> => {
        await ensureDirectory()
        const record: LockRecord = {
          token: randomBytes(16).toString("hex"),
          pid: process.pid,
          host: hostname(),
          expiresAt: Date.now() + ttlMs,
        }
        const temp = `${file}.${record.token}.tmp`
        const handle = await open(temp, "wx", 0o600)
        try {
          await handle.writeFile(JSON.stringify(record))
        } finally {
          await handle.close()
        }
        try {
          await link(temp, file)
          return record.token
        } catch (error) {
          if (errno(error) !== "EEXIST") throw error
        } finally {
          await unlink(temp).catch(() => undefined)
        }
        const holder = await readRecord(file)
        if (holder !== undefined && (await isStale(file, holder, Date.now()))) await breakStale(file, holder)
        return new Busy()
      },
      catch: (error) =>
        new StoreError({
          operation: "refreshLock.acquire",
          detail: `${file}: ${errno(error) ?? String(error)}`,
        }),
    }).pipe(Effect.flatMap((r) => (typeof r === "string" ? Effect.succeed(r) : Effect.fail(r))))

  const release = (file: string, token: string) =>
    Effect.promise(async () => {
      const holder = await readRecord(file).catch(() => undefined)
      // After our time was up another process may hold it: only our own lock is removed.
      if (holder !== undefined && holder !== "unreadable" && holder.token === token) {
        await unlink(file).catch(() => undefined)
      }
    })

  return RefreshLock.of({
    withLock: (key, effect, lockOptions) => {
      const file = fileOf(key)
      const ttlMs = lockOptions?.ttlMs ?? options.ttlMs ?? DEFAULT_TTL_MS
      const waitMs = lockOptions?.waitMs ?? options.waitMs ?? DEFAULT_WAIT_MS
      const acquire = attempt(file, ttlMs).pipe(
        Effect.retry({
          schedule: Schedule.spaced("20 millis").pipe(Schedule.jittered, Schedule.upTo({ duration: waitMs })),
          while: (e) => e._tag === "Busy",
        }),
        Effect.catchTag("Busy", () =>
          Effect.fail(
            new StoreError({
              operation: "refreshLock.acquire",
              detail: `${file} is held by another grantflow process; not acquired within ${waitMs} ms`,
            }),
          ),
        ),
      )
      return Effect.acquireUseRelease(
        acquire,
        () => effect,
        (token) => release(file, token),
      )
    },
  })
}
