/** Prints results as plain-text tables, one per scenario, with grantflow's standing at the end. */
import type { Results } from "./results.ts"

const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return String(v)
  if (Math.abs(v) >= 10_000) return Math.round(v).toLocaleString("en")
  if (Math.abs(v) >= 100) return String(Math.round(v))
  if (Number.isInteger(v)) return String(v)
  return v.toFixed(2)
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
const padStart = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s)

/**
 * Ratios are named `a/b` and share a reference on one side (`x/raw-fetch`, `cached-promise/x`);
 * each row shows its own, and the reference row says it is the reference.
 */
const ratioCell = (ratios: Record<string, number>, impl: string): string => {
  const pairs = Object.keys(ratios).map((k) => k.split("/") as [string, string])
  if (pairs.length === 0) return ""
  const reference = pairs.every(([a]) => a === pairs[0]![0]) ? pairs[0]![0] : pairs[0]![1]
  if (impl === reference) return "reference"
  const key = Object.keys(ratios).find((k) => k === `${impl}/${reference}` || k === `${reference}/${impl}`)
  return key === undefined ? "" : `${ratios[key]!.toFixed(2)}x ${key}`
}

export function printTable(report: Results): void {
  console.log(
    `grantflow bench — node ${report.node}, ${report.machine.cpus} x ${report.machine.model}, ` +
      `median of ${report.runs} run(s), ${report.durationSeconds} s, load average at start ${report.machine.loadAverage.join(" ")}`,
  )
  for (const [name, s] of Object.entries(report.scenarios)) {
    console.log("")
    console.log(`${name}: ${s.metric} (${s.unit}); goal: ${s.goal}`)
    const rows: string[][] = [
      ["contender", "median", "runs", "ratio", "other figures (medians; safety counts: max over runs)"],
    ]
    for (const [impl, e] of Object.entries(s.results)) {
      if (e.status === "pending") rows.push([impl, "pending", "", "", e.reason])
      else if (e.status === "error")
        rows.push([impl, "error", "", "", e.message.split("\n")[0]!.slice(0, 80)])
      else {
        rows.push([
          impl,
          e.max === undefined ? fmt(e.median) : `max ${fmt(e.max)}`,
          e.runs.map(fmt).join(" "),
          ratioCell(s.ratios, impl),
          Object.entries(e.extra ?? {})
            .map(([k, f]) => (f.max === undefined ? `${k} ${fmt(f.median)}` : `${k} max ${fmt(f.max)}`))
            .join(", "),
        ])
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const r of rows)
      console.log(
        "  " +
          [
            pad(r[0]!, widths[0]!),
            padStart(r[1]!, widths[1]!),
            pad(r[2]!, widths[2]!),
            pad(r[3]!, widths[3]!),
            r[4]!,
          ].join("  "),
      )
  }
  console.log("")
  console.log("grantflow against the goals:")
  for (const [name, s] of Object.entries(report.scenarios))
    console.log(`  ${pad(name, 16)} ${pad(s.verdict.status, 8)} ${s.verdict.detail}`)
}

/** The smoke's report: for each scenario, whether each contender ran; no figures, no goals. */
export function printSmokeSummary(report: Results): void {
  console.log(`grantflow bench smoke (toy sizes, one run; figures not reported) — node ${report.node}`)
  for (const [name, s] of Object.entries(report.scenarios)) {
    const entries = Object.entries(s.results).map(([impl, e]) =>
      e.status === "ok"
        ? `${impl} ran`
        : e.status === "pending"
          ? `${impl} pending (${e.reason})`
          : `${impl} error (${e.message.split("\n")[0]!.slice(0, 80)})`,
    )
    console.log(`  ${pad(name, 16)} ${entries.join(", ")}`)
  }
}
