/**
 * import: how long `await import("@grantflow/core")` takes in a fresh Node process, next to
 * `await import("effect/Effect")` (the least an Effect library can load) and two peers. Each sample
 * is its own process; the time is taken inside it around the `import()` alone (Node's own start
 * is not counted), wall and CPU. The contenders are interleaved sample by sample, so that load on
 * the machine falls on all of them alike; a run's figure is the median of its samples.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { figure, okMedian, type Entry, type ScenarioResult } from "./results.ts"
import type { Context } from "./scenarios.ts"

/** What each contender imports; the keys are the names in results.json. */
const specifiers: Record<string, string> = {
  // Named without the slash: ratios are named `a/b`.
  effect: "effect/Effect",
  grantflow: "@grantflow/core",
  "openid-client": "openid-client",
  oauth4webapi: "oauth4webapi",
}

const benchDir = fileURLToPath(new URL("..", import.meta.url))

const probe = `
const c0 = process.cpuUsage(); const t0 = performance.now()
await import(process.argv[1])
const wall = performance.now() - t0; const c = process.cpuUsage(c0)
console.log(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000 }))
`

/** One fresh process importing `specifier`: ms of wall and CPU time spent in the import. */
const sample = (specifier: string): { wall: number; cpu: number } => {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", probe, specifier], {
    cwd: benchDir,
    encoding: "utf8",
  })
  if (run.status !== 0) throw new Error(`import of ${specifier} failed: ${run.stderr.split("\n")[0]}`)
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { wall: number; cpu: number }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export async function importTime(ctx: Context): Promise<ScenarioResult> {
  const samples = ctx.smoke ? 1 : 15
  const names = Object.keys(specifiers).filter(
    (n) => ctx.contenders === undefined || ctx.contenders.includes(n),
  )
  const wall: Record<string, number[]> = {}
  const cpu: Record<string, number[]> = {}
  const failed: Record<string, string> = {}
  for (let run = 1; run <= ctx.runs; run++) {
    const perRun: Record<string, { wall: number[]; cpu: number[] }> = {}
    for (let i = 0; i < samples; i++) {
      for (const name of names) {
        if (failed[name] !== undefined) continue
        try {
          const s = sample(specifiers[name]!)
          const r = (perRun[name] ??= { wall: [], cpu: [] })
          r.wall.push(s.wall)
          r.cpu.push(s.cpu)
        } catch (e) {
          failed[name] = (e as Error).message
          ctx.log(`  import ${name}: ERROR ${failed[name]}`)
        }
      }
    }
    for (const [name, r] of Object.entries(perRun)) {
      ;(wall[name] ??= []).push(median(r.wall))
      ;(cpu[name] ??= []).push(median(r.cpu))
      ctx.log(
        `  import run ${run}/${ctx.runs} ${name}: wallMs=${median(r.wall).toFixed(1)} cpuMs=${median(r.cpu).toFixed(1)} (median of ${r.wall.length})`,
      )
    }
  }
  const results: Record<string, Entry> = {}
  for (const name of names) {
    if (failed[name] !== undefined) results[name] = { status: "error", message: failed[name] }
    else if (wall[name] !== undefined)
      results[name] = { status: "ok", ...figure(wall[name]), extra: { cpuMs: figure(cpu[name]!) } }
  }
  const reference = okMedian(results.effect)
  const ratios: Record<string, number> = {}
  if (reference !== undefined)
    for (const name of names) {
      const m = okMedian(results[name])
      if (m !== undefined && name !== "effect") ratios[`${name}/effect`] = m / reference
    }
  const ours = okMedian(results.grantflow)
  const ratio = ratios["grantflow/effect"]
  const verdict: ScenarioResult["verdict"] =
    ours === undefined || ratio === undefined
      ? { status: "error", detail: "grantflow or effect/Effect did not import" }
      : {
          status: ratio <= 1.3 ? "met" : "not met",
          detail: `${ours.toFixed(1)} ms, ${ratio.toFixed(2)}x import("effect/Effect") (goal <= 1.3x)`,
        }
  return {
    description:
      'Wall time of `await import(...)` in a fresh Node process (Node\'s own start not counted): "@grantflow/core" ' +
      'next to "effect/Effect" (as "effect") and two peers, samples interleaved, median per run; CPU time in extra.',
    metric: "import time",
    unit: "ms",
    goal: 'at most 1.3x import("effect/Effect")',
    results,
    ratios,
    verdict,
    parameters: { samplesPerRun: samples },
  }
}
