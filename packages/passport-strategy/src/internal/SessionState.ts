/**
 * Pending authorization requests kept in the browser's session (`req.session[key]`), so that
 * the callback is only accepted from the session that started the login, and so that it
 * survives a restart or another instance when the session store is shared. Each entry is
 * taken out when its callback arrives: a replayed callback finds nothing.
 */

/** One login started from this session. `pending` is the encoded PendingAuthorization, when the session holds it. */
export interface SessionEntry {
  readonly state: string
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly pending?: string | undefined
}

// Enough for a few tabs logging in at once; older entries are dropped first.
const MAX_ENTRIES = 8

const isEntry = (u: unknown): u is SessionEntry =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as SessionEntry).state === "string" &&
  typeof (u as SessionEntry).expiresAt === "number" &&
  ((u as SessionEntry).pending === undefined || typeof (u as SessionEntry).pending === "string")

type SessionRecord = Record<string, unknown>

const entries = (session: SessionRecord, key: string, now: number): Array<SessionEntry> => {
  const stored = session[key]
  return Array.isArray(stored) ? stored.filter(isEntry).filter((e) => e.expiresAt > now) : []
}

const write = (session: SessionRecord, key: string, list: ReadonlyArray<SessionEntry>): void => {
  if (list.length === 0) delete session[key]
  else session[key] = list
}

/** Records a login started from this session. */
export const remember = (session: object, key: string, entry: SessionEntry): void => {
  const record = session as SessionRecord
  const list = entries(record, key, Date.now()).filter((e) => e.state !== entry.state)
  list.push(entry)
  write(record, key, list.slice(-MAX_ENTRIES))
}

/**
 * Removes and returns this session's entry for `state`: `expired` when it was there but too old,
 * `undefined` when this session never started (or already finished) that login.
 */
export const consume = (
  session: object,
  key: string,
  state: string,
): SessionEntry | "expired" | undefined => {
  const record = session as SessionRecord
  const now = Date.now()
  const stored = record[key]
  const all = Array.isArray(stored) ? stored.filter(isEntry) : []
  const found = all.find((e) => e.state === state)
  write(
    record,
    key,
    all.filter((e) => e !== found && e.expiresAt > now),
  )
  if (found === undefined) return undefined
  return found.expiresAt > now ? found : "expired"
}
