import type { ApiCall } from "../lib/api"
import { cell, clock, humanize, toTable } from "../lib/format"

/** Payment states that get their own colour in a `status` column. */
const STATES: ReadonlySet<unknown> = new Set(["completed", "pending", "expired"])

const NUMBER = /^-?\d+(\.\d+)?$/

/** Columns whose 0/1 values mean off/on. */
const FLAGS: ReadonlySet<string> = new Set(["enabled", "active", "paper_trading"])

/** A table cell; payment states and on/off flags as small badges. */
function Cell({ column, value }: { column: string; value: unknown }) {
  if (column === "status" && typeof value === "string") {
    return <span className={`state state-${STATES.has(value) ? value : "other"}`}>{value}</span>
  }
  if (FLAGS.has(column) && (value === 0 || value === 1 || typeof value === "boolean")) {
    const on = value === 1 || value === true
    return <span className={on ? "state state-completed" : "state"}>{on ? "on" : "off"}</span>
  }
  return <>{cell(value)}</>
}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The provider's own error text: Cryptohopper's `{ error: 1, message }` (even inside a 200), DRF's `{ detail }`. */
const providerError = (call: ApiCall): string | undefined => {
  const d = call.data
  if (!isRecord(d)) return call.ok ? undefined : `HTTP ${call.status}`
  if (d.error !== undefined && d.error !== 0 && typeof d.message === "string") return d.message
  if (!call.ok) return typeof d.detail === "string" ? d.detail : `HTTP ${call.status}`
  return undefined
}

/**
 * One API answer: the request line, the provider's status, and the data as a table. `columns`
 * picks the columns worth a card's width for a list the page knows (the rest is in the answer).
 */
export function ApiResult({
  call,
  renewWord,
  columns,
}: {
  call: ApiCall
  renewWord: string
  columns?: ReadonlyArray<string>
}) {
  const failure = providerError(call)
  const table = failure === undefined ? toTable(call.data, columns) : undefined
  // Amounts and prices line up on the right, as in any statement.
  const numeric = new Set(
    table?.kind === "rows"
      ? table.columns.filter((c) => table.rows.every((r) => NUMBER.test(String(r[c] ?? ""))) && !FLAGS.has(c))
      : [],
  )
  return (
    <div className="result" data-path={call.path}>
      <div className="result-head">
        <span className="method">GET</span>
        <code className="result-path">{call.path}</code>
        <span className={call.ok && failure === undefined ? "code code-ok" : "code code-bad"}>
          {call.status} {call.ok && failure === undefined ? "OK" : "error"}
        </span>
        {call.tokenRefreshed ? (
          <span className="tag">token {renewWord.toLowerCase()} for this call</span>
        ) : null}
        <time className="result-time" dateTime={call.calledAt}>
          {clock(call.calledAt)}
        </time>
      </div>
      {failure !== undefined ? (
        <p className="result-error" role="alert">
          {failure}
        </p>
      ) : table?.kind === "rows" ? (
        <div className="table-wrap">
          <table>
            <caption>
              {table.note ?? `${table.rows.length} ${table.rows.length === 1 ? "row" : "rows"}`}
            </caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th scope="col" key={c} className={numeric.has(c) ? "num" : undefined}>
                    {humanize(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, i) => (
                <tr key={i}>
                  {table.columns.map((c) => (
                    <td key={c} className={numeric.has(c) ? "num" : undefined}>
                      <Cell column={c} value={row[c]} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : table?.kind === "pairs" ? (
        <div className="table-wrap">
          <table className="pairs">
            {table.note === undefined ? null : <caption>{table.note}</caption>}
            <tbody>
              {table.pairs.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{humanize(k)}</th>
                  <td>{cell(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="result-text">{table?.text}</p>
      )}
    </div>
  )
}
