/** How the page writes times, durations and API values. */

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })

/** `14:03:27` in the person's time zone. */
export const clock = (at: Date | string): string => TIME.format(typeof at === "string" ? new Date(at) : at)

/**
 * `42 s`, `3 min 05 s`, `2 h 10 min`: how long until something happens. Whole seconds left,
 * rounded down like any countdown: a 60 s token reads "59 s" a moment after it arrives, never
 * "1 min 01 s" (rounding up turned 60.2 s of clock skew into a minute and a second).
 */
export const duration = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`
}

/** `base_currency` -> `Base currency`. */
export const humanize = (key: string): string => {
  const words = key
    .replace(/[_-]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

/** A value as a table cell: long ids and timestamps shortened, objects as compact JSON. */
export const cell = (value: unknown): string => {
  if (value === null || value === undefined) return "—"
  if (typeof value === "boolean") return value ? "yes" : "no"
  if (typeof value === "object") return JSON.stringify(value)
  const text = String(value)
  if (UUID.test(text)) return `${text.slice(0, 4)}…${text.slice(-4)}`
  if (ISO_TIME.test(text) && !Number.isNaN(Date.parse(text))) {
    const d = new Date(text)
    return `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${clock(d)}`
  }
  return text
}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** What an API answer looks like as a table. */
export type DataTable =
  | {
      readonly kind: "rows"
      readonly columns: ReadonlyArray<string>
      readonly rows: ReadonlyArray<Record<string, unknown>>
      readonly note?: string
    }
  | {
      readonly kind: "pairs"
      readonly pairs: ReadonlyArray<readonly [string, unknown]>
      readonly note?: string
    }
  | { readonly kind: "text"; readonly text: string }

const MAX_COLUMNS = 5

/**
 * The readable part of an answer: Cryptohopper's `{ data }` envelope, a paginated
 * `{ count, results }`, a `{ base, rates }` map, a list of records, or one record.
 */
export const toTable = (data: unknown, preferred?: ReadonlyArray<string>, depth = 0): DataTable => {
  if (depth > 3) return { kind: "text", text: JSON.stringify(data) }
  if (Array.isArray(data)) {
    if (data.length > 0 && data.every(isRecord)) {
      const present = [...new Set(data.flatMap((r) => Object.keys(r)))]
      const chosen = preferred?.filter((c) => present.includes(c)) ?? []
      const columns = chosen.length > 0 ? chosen : present.slice(0, MAX_COLUMNS)
      return { kind: "rows", columns, rows: data }
    }
    return { kind: "text", text: data.length === 0 ? "No items." : data.map(cell).join(", ") }
  }
  if (!isRecord(data)) return { kind: "text", text: cell(data) }
  if ("data" in data && Object.keys(data).length <= 2) return toTable(data.data, preferred, depth + 1)
  if (Array.isArray(data.results)) {
    const inner = toTable(data.results, preferred, depth + 1)
    const total = typeof data.count === "number" ? data.count : data.results.length
    return inner.kind === "rows"
      ? { ...inner, note: `${total} in total, showing the first ${data.results.length}` }
      : inner
  }
  if (isRecord(data.rates)) {
    return {
      kind: "pairs",
      pairs: Object.entries(data.rates),
      note: `Rates in ${cell(data.base ?? "USD")}`,
    }
  }
  const values = Object.values(data)
  if (values.length === 1 && isRecord(values[0])) return toTable(values[0], preferred, depth + 1)
  return { kind: "pairs", pairs: Object.entries(data) }
}
