import { instanceId } from "./internal/random.js"

/** How long a lease outlives a crashed holder; longer than a refresh's request timeout. */
const LEASE_TTL_MS = 30_000
/** Time for a concurrent writer in another tab to land before we check that our lease stuck. */
const LEASE_SETTLE_MS = 15
const LEASE_POLL_MS = 25

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Lease {
  readonly owner: string
  readonly until: number
}

const readLease = (ls: Storage, key: string): Lease | undefined => {
  try {
    const v = JSON.parse(ls.getItem(key) ?? "null") as Partial<Lease> | null
    return v && typeof v.owner === "string" && typeof v.until === "number" ? (v as Lease) : undefined
  } catch {
    return undefined
  }
}

const localStorageOrUndefined = (): Storage | undefined => {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    return undefined
  }
}

/** Same-realm stores when there is no storage at all: a promise chain per name. */
const chains = new Map<string, Promise<unknown>>()

const withChain = <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const run = (chains.get(name) ?? Promise.resolve()).then(fn, fn)
  const tail = run.catch(() => undefined)
  chains.set(name, tail)
  void tail.then(() => {
    if (chains.get(name) === tail) chains.delete(name)
  })
  return run
}

/**
 * Mutual exclusion through a localStorage record `{ owner, until }`: write it when it is free
 * or expired, wait a moment for a racing tab's write, and own the lease only if ours survived.
 * Browsers without Web Locks and jsdom take this path.
 */
const withLease = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const ls = localStorageOrUndefined()
  if (!ls) return withChain(name, fn)
  const key = `${name}:lease`
  const owner = instanceId()
  for (;;) {
    const held = readLease(ls, key)
    if (!held || held.until <= Date.now()) {
      try {
        ls.setItem(key, JSON.stringify({ owner, until: Date.now() + LEASE_TTL_MS } satisfies Lease))
      } catch {
        return withChain(name, fn)
      }
      await sleep(LEASE_SETTLE_MS)
      if (readLease(ls, key)?.owner === owner) break
    } else {
      await sleep(LEASE_POLL_MS)
    }
  }
  try {
    return await fn()
  } finally {
    if (readLease(ls, key)?.owner === owner) ls.removeItem(key)
  }
}

/**
 * Runs `fn` while holding the exclusive lock `name` across this origin's tabs: Web Locks
 * (`navigator.locks`) where the browser has them, else a localStorage lease.
 *
 * @example
 * ```ts
 * await withCrossTabLock("grantflow:refresh:api", () => refreshTokenOnce())
 * ```
 */
export const withCrossTabLock = <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks && typeof locks.request === "function") {
    return locks.request(name, { mode: "exclusive" }, () => fn()) as Promise<T>
  }
  return withLease(name, fn)
}
