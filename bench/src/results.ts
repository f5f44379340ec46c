/** The shape of results.json, and the small statistics the figures need. */

/**
 * One figure over several runs: its median and every run's value, in run order. A safety count
 * (see `SAFETY_COUNTS`) also has `max`, the worst run, which is what verdicts and tables report:
 * a median would hide a run that lost a session.
 */
export interface Figure {
  median: number
  max?: number
  runs: number[]
}

/** Counts of things that must never happen: reported as the maximum over runs, never the median. */
export const SAFETY_COUNTS: ReadonlySet<string> = new Set([
  "invalidGrant",
  "lostSessions",
  "failedCalls",
  "failedCallers",
  "staleTokensRejectedByApi",
  "staleWhenHandedOut",
  "refreshTokensSentTwice",
  "renewalsFailed",
])

/** An entry that has figures, or says why it has none. */
export type Entry =
  | ({ status: "ok" } & Figure & { extra?: Record<string, Figure> })
  | { status: "pending"; reason: string }
  | { status: "error"; message: string }

export interface ScenarioResult {
  description: string
  metric: string
  unit: string
  /** The goal for grantflow, in words. */
  goal: string
  results: Record<string, Entry>
  /** Ratios of medians, named `a/b`. */
  ratios: Record<string, number>
  /** Where grantflow stands against the goal. */
  verdict: { status: "met" | "not met" | "pending" | "error"; detail: string }
  /** Sizes and stub settings the figures were taken with. */
  parameters: Record<string, unknown>
}

export interface Results {
  generatedAt: string
  /** The repository's commit the figures were taken at (grantflow's packages are used from their dist). */
  commit: string
  node: string
  machine: {
    cpus: number
    model: string
    platform: string
    /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews figures. */
    loadAverage: number[]
  }
  runs: number
  /**
   * Minified + gzipped KB of a minimal React app's use of useOAuthToken (React excluded), measured by
   * @grantflow/react-hooks' size script (esbuild). Goal: at most 25. Absent in smoke runs.
   */
  react_bundle_gzip_kb?: number
  durationSeconds: number
  scenarios: Record<string, ScenarioResult>
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const round2 = (v: number) => Math.round(v * 100) / 100

export const figure = (runs: number[], name?: string): Figure =>
  name !== undefined && SAFETY_COUNTS.has(name)
    ? { median: round2(median(runs)), max: round2(Math.max(...runs)), runs: runs.map(round2) }
    : { median: round2(median(runs)), runs: runs.map(round2) }

export const okMedian = (entry: Entry | undefined): number | undefined =>
  entry?.status === "ok" ? entry.median : undefined

/** The figure a verdict uses: the worst run for a safety count, else the median. */
export const reported = (f: Figure): number => f.max ?? f.median

/** `reported` of an entry's main figure. */
export const okReported = (entry: Entry | undefined): number | undefined =>
  entry?.status === "ok" ? reported(entry) : undefined
