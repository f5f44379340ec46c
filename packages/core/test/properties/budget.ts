// How many cases a property runs: a few hundred to a couple of thousand in `pnpm test`, its share
// of GRANTFLOW_FUZZ_CASES under `pnpm fuzz`. GRANTFLOW_FUZZ_SEED replays a failure's seed.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type * as fc from "fast-check"

const total = Number(process.env["GRANTFLOW_FUZZ_CASES"] ?? "")
export const fuzzing = Number.isInteger(total) && total > 0

/** Runs for one property: `testRuns` in `pnpm test`, `share` of the fuzz total under `pnpm fuzz`. */
export const runsFor = (testRuns: number, share: number): number =>
  fuzzing ? Math.max(1, Math.round(total * share)) : testRuns

/** fast-check parameters: the run count, a seed to replay when given, and the seed always reported on failure. */
export const parameters = <T>(numRuns: number): fc.Parameters<T> => {
  const given = process.env["GRANTFLOW_FUZZ_SEED"]
  const seed = given === undefined || given.trim() === "" ? undefined : Number(given)
  const path = process.env["GRANTFLOW_FUZZ_PATH"]
  return {
    numRuns,
    ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
    ...(path ? { path } : {}),
    // fast-check puts the seed and path in the failure message; replay with
    // GRANTFLOW_FUZZ_SEED=<seed> GRANTFLOW_FUZZ_PATH=<path>.
    verbose: 1,
    endOnFailure: true,
  }
}

/** Counts per outcome, printed (and written to test-artifacts/) when a property is done. */
export class OutcomeCounts {
  readonly #counts = new Map<string, number>()
  constructor(readonly name: string) {}

  add(outcome: string): void {
    this.#counts.set(outcome, (this.#counts.get(outcome) ?? 0) + 1)
  }

  get total(): number {
    let n = 0
    for (const v of this.#counts.values()) n += v
    return n
  }

  report(): string {
    const rows = [...this.#counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    const text = [
      `${this.name}: ${this.total} cases`,
      ...rows.map(([k, v]) => `  ${String(v).padStart(7)}  ${k}`),
    ].join("\n")
    if (fuzzing) {
      const dir = join(process.cwd(), "test-artifacts")
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `fuzz-${this.name}.json`), JSON.stringify(Object.fromEntries(rows), null, 2))
    }
    return text
  }
}
