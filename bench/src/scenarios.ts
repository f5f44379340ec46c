/**
 * The five scenarios of issue 3, each run `runs` times with the contenders interleaved (run 1 of
 * every contender, then run 2, ...), so that drift on the machine spreads over all of them.
 */
import type { Target } from "./peers/Target.ts"
import type { SeedTokens } from "./impls.ts"
import type { Job, WorkerResult } from "./protocol.ts"
import {
  figure,
  okMedian,
  okReported,
  reported,
  type Entry,
  type Figure,
  type ScenarioResult,
} from "./results.ts"
import type { RedisServer } from "./redisServer.ts"
import type { Stub } from "./stubServer.ts"
import { forkStub } from "./stubProcess.ts"
import { PendingError, runWorkers } from "./workers.ts"
import { encryptionAtRest } from "./encryptionAtRest.ts"
import { importTime } from "./importTime.ts"

export interface Context {
  readonly stub: Stub
  readonly target: Target
  readonly redis: () => Promise<RedisServer>
  readonly runs: number
  readonly smoke: boolean
  readonly log: (line: string) => void
  /** Only these contenders (`--contenders`), for measuring a few side by side while working. */
  readonly contenders?: ReadonlyArray<string> | undefined
}

/** Per contender, the values of each named figure, run after run; or why it has none. */
type Collected = Record<
  string,
  { values: Record<string, number[]> } | { pending: string } | { error: string }
>

/**
 * Runs `measure(impl)` for every contender, `runs` times, interleaved. A contender that is pending
 * or fails is not retried in later runs.
 */
async function collect(
  ctx: Context,
  label: string,
  impls: ReadonlyArray<string>,
  measure: (impl: string) => Promise<Record<string, number>>,
  /** Contenders measured in the first run only (their figure is deterministic and slow to take). */
  once: ReadonlyArray<string> = [],
): Promise<Collected> {
  const out: Collected = {}
  for (let run = 1; run <= ctx.runs; run++) {
    for (const impl of impls) {
      if (ctx.contenders !== undefined && !ctx.contenders.includes(impl)) continue
      const sofar = out[impl]
      if (sofar !== undefined && !("values" in sofar)) continue
      if (run > 1 && once.includes(impl)) continue
      try {
        const figures = await measure(impl)
        const values = sofar?.values ?? {}
        for (const [name, v] of Object.entries(figures)) (values[name] ??= []).push(v)
        out[impl] = { values }
        ctx.log(
          `  ${label} run ${run}/${once.includes(impl) ? 1 : ctx.runs} ${impl}: ${Object.entries(figures)
            .map(([k, v]) => `${k}=${round(v)}`)
            .join(" ")}`,
        )
      } catch (e) {
        if (e instanceof PendingError) {
          out[impl] = { pending: e.message }
          ctx.log(`  ${label} ${impl}: pending (${e.message})`)
        } else {
          const message = e instanceof Error ? e.message : String(e)
          out[impl] = { error: message }
          ctx.log(`  ${label} ${impl}: ERROR ${message}`)
        }
      }
    }
  }
  return out
}

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100)

/** Turns collected values into entries whose main figure is `primary`; the others go to `extra`. */
const entries = (collected: Collected, primary: string): Record<string, Entry> => {
  const out: Record<string, Entry> = {}
  for (const [impl, c] of Object.entries(collected)) {
    if ("pending" in c) out[impl] = { status: "pending", reason: c.pending }
    else if ("error" in c) out[impl] = { status: "error", message: c.error }
    else {
      const extra: Record<string, Figure> = {}
      for (const [name, values] of Object.entries(c.values))
        if (name !== primary) extra[name] = figure(values, name)
      const main = figure(c.values[primary] ?? [], primary)
      out[impl] = Object.keys(extra).length > 0 ? { status: "ok", ...main, extra } : { status: "ok", ...main }
    }
  }
  return out
}

const extraMedian = (entry: Entry | undefined, name: string): number | undefined =>
  entry?.status === "ok" ? entry.extra?.[name]?.median : undefined

/** A secondary figure as verdicts report it: the worst run for a safety count, else the median. */
const extraReported = (entry: Entry | undefined, name: string): number | undefined => {
  const f = entry?.status === "ok" ? entry.extra?.[name] : undefined
  return f === undefined ? undefined : reported(f)
}

const notOk = (entry: Entry | undefined): ScenarioResult["verdict"] | undefined => {
  if (entry === undefined) return { status: "error", detail: "grantflow did not run" }
  if (entry.status === "pending") return { status: "pending", detail: entry.reason }
  if (entry.status === "error") return { status: "error", detail: entry.message.split("\n")[0]! }
  return undefined
}

const only = <K extends WorkerResult["kind"]>(
  r: WorkerResult,
  kind: K,
): Extract<WorkerResult, { kind: K }> => {
  if (r.kind !== kind) throw new Error(`expected a ${kind} result, got ${r.kind}`)
  return r as Extract<WorkerResult, { kind: K }>
}

// ---------------------------------------------------------------------------------------------

export async function coldRequest(ctx: Context): Promise<ScenarioResult> {
  const impls = [
    "raw-fetch",
    "undici.request",
    "grantflow",
    "oauth4webapi",
    "openid-client",
    "simple-oauth2",
    "@badgateway/oauth2-client",
  ]
  const parameters = ctx.smoke ? { warmup: 5, requests: 20 } : { warmup: 200, requests: 1000 }
  ctx.stub.reset()
  ctx.stub.configure({ expiresIn: 3600, rotation: false, delayMs: 0 })
  const collected = await collect(ctx, "cold_request", impls, async (impl) => {
    const [r] = await runWorkers([{ kind: "cold", impl, target: ctx.target, ...parameters }])
    const cold = only(r!, "cold")
    return { cpuUs: cold.cpuUsPerRequest, wallUs: (cold.wallMs * 1000) / parameters.requests }
  })
  const results = entries(collected, "cpuUs")
  const floor = okMedian(results["raw-fetch"])
  const ratios: Record<string, number> = {}
  if (floor !== undefined)
    for (const impl of impls) {
      const m = okMedian(results[impl])
      if (m !== undefined && impl !== "raw-fetch") ratios[`${impl}/raw-fetch`] = m / floor
    }
  let verdict = notOk(results.grantflow)
  if (verdict === undefined) {
    const ours = okMedian(results.grantflow)!
    const ratio = floor === undefined ? Number.NaN : ours / floor
    // undici.request is a floor, not a peer.
    const fetchPeers = ["oauth4webapi", "openid-client", "simple-oauth2", "@badgateway/oauth2-client"]
    const beaten = fetchPeers.filter((p) => {
      const m = okMedian(results[p])
      return m !== undefined && m <= ours
    })
    const met = ratio <= 0.6 && beaten.length === 0
    verdict = {
      status: met ? "met" : "not met",
      detail:
        `${round(ours)} µs/request, ${round(ratio)}x raw fetch (goal <= 0.6x)` +
        (beaten.length === 0 ? ", below every peer" : `; not below ${beaten.join(", ")}`),
    }
  }
  return {
    description:
      "Client CPU time (process.cpuUsage, user+system) per client-credentials token request, " +
      "sequential requests on a keep-alive connection after a warm-up, each contender in its own process.",
    metric: "client CPU per request",
    unit: "µs",
    goal: "at most 0.6x raw fetch and below every peer",
    results,
    ratios,
    verdict,
    parameters: { ...parameters, stub: { delayMs: 0 } },
  }
}

export async function hotPath(ctx: Context): Promise<ScenarioResult> {
  const impls = ["cached-promise", "grantflow", "@badgateway/oauth2-client"]
  const parameters = ctx.smoke ? { warmupMs: 10, measureMs: 20 } : { warmupMs: 500, measureMs: 1000 }
  ctx.stub.reset()
  ctx.stub.configure({ expiresIn: 3600, rotation: false, delayMs: 0 })
  const collected = await collect(ctx, "hot_path", impls, async (impl) => {
    const [r] = await runWorkers([{ kind: "hot", impl, target: ctx.target, ...parameters }])
    return { callsPerSecond: only(r!, "hot").callsPerSecond }
  })
  const results = entries(collected, "callsPerSecond")
  const baseline = okMedian(results["cached-promise"])
  const ratios: Record<string, number> = {}
  if (baseline !== undefined)
    for (const impl of impls.slice(1)) {
      const m = okMedian(results[impl])
      if (m !== undefined) ratios[`cached-promise/${impl}`] = baseline / m
    }
  let verdict = notOk(results.grantflow)
  if (verdict === undefined) {
    const ours = okMedian(results.grantflow)!
    const slowdown = baseline === undefined ? Number.NaN : baseline / ours
    verdict = {
      status: ours >= 1_000_000 && slowdown <= 3 ? "met" : "not met",
      detail: `${Math.round(ours).toLocaleString("en")} calls/s (goal >= 1,000,000); the baseline makes ${round(slowdown)}x as many (goal <= 3x)`,
    }
  }
  return {
    description:
      "Cached getAccessToken() calls per second on a warm cache (each call awaited in turn), against a " +
      "hand-written cached promise with an expiry check, each contender in its own process.",
    metric: "cached token calls per second",
    unit: "calls/s",
    goal: "at least 1,000,000 per second and within 3x of the cached-promise baseline",
    results,
    ratios,
    verdict,
    parameters,
  }
}

export async function apiCall(ctx: Context): Promise<ScenarioResult> {
  // raw-fetch+timeout is a second floor, not the goal's: what the abort signal of a timeout costs.
  const impls = ["raw-fetch", "raw-fetch+timeout", "grantflow"]
  const parameters = ctx.smoke ? { warmup: 5, calls: 20 } : { warmup: 500, calls: 3000 }
  ctx.stub.reset()
  ctx.stub.configure({ expiresIn: 3600, rotation: false, delayMs: 0 })
  const collected = await collect(ctx, "api_call", impls, async (impl) => {
    const [r] = await runWorkers([{ kind: "api", impl, target: ctx.target, ...parameters }])
    const api = only(r!, "api")
    return { cpuUs: api.cpuUsPerCall, wallUs: (api.wallMs * 1000) / parameters.calls }
  })
  const results = entries(collected, "cpuUs")
  const floor = okMedian(results["raw-fetch"])
  const ratios: Record<string, number> = {}
  const ours = okMedian(results.grantflow)
  if (floor !== undefined && ours !== undefined) ratios["grantflow/raw-fetch"] = ours / floor
  const withTimeout = okMedian(results["raw-fetch+timeout"])
  if (floor !== undefined && withTimeout !== undefined)
    ratios["raw-fetch+timeout/raw-fetch"] = withTimeout / floor
  if (withTimeout !== undefined && ours !== undefined)
    ratios["grantflow/raw-fetch+timeout"] = ours / withTimeout
  let verdict = notOk(results.grantflow)
  if (verdict === undefined) {
    const ratio = floor === undefined ? Number.NaN : ours! / floor
    verdict = {
      status: ratio <= 1.05 ? "met" : "not met",
      detail: `${round(ours!)} µs/call, ${round(ratio)}x raw fetch with the same header (goal <= 1.05x)`,
    }
  }
  return {
    description:
      "Client CPU time (process.cpuUsage, user+system) per authenticated API call with a cached token: " +
      'client.fetch("/resource") against raw fetch sending the same Authorization header, body read, ' +
      "sequential calls on a keep-alive connection after a warm-up, each contender in its own process.",
    metric: "client CPU per API call",
    unit: "µs",
    goal: "at most 1.05x raw fetch",
    results,
    ratios,
    verdict,
    parameters: { ...parameters, stub: { delayMs: 0 } },
  }
}

const herdStub = { expiresIn: 3600, rotation: false, delayMs: 20 }

export async function herdInProcess(ctx: Context): Promise<ScenarioResult> {
  // oauth4webapi is left out: it has no cache either, and openid-client v6 is built on it.
  const impls = ["cached-promise", "grantflow", "@badgateway/oauth2-client", "openid-client", "simple-oauth2"]
  const callers = ctx.smoke ? 200 : 10_000
  // Without a cache each caller is its own request, so the count is the number of callers in every
  // run; 10,000 requests on 10,000 fresh connections take 10-30 s per peer, so they run once.
  const uncached = ["openid-client", "simple-oauth2"]
  ctx.stub.configure(herdStub)
  const collected = await collect(
    ctx,
    "herd_in_process",
    impls,
    async (impl) => {
      ctx.stub.reset()
      const [r] = await runWorkers([{ kind: "herd", impl, target: ctx.target, callers }])
      const herd = only(r!, "herd")
      if (herd.errors === callers) throw new Error(`every caller failed: ${herd.firstError}`)
      return {
        tokenRequests: ctx.stub.stats.tokenRequests,
        msUntilAllResolved: herd.elapsedMs,
        failedCallers: herd.errors,
      }
    },
    uncached,
  )
  const results = entries(collected, "tokenRequests")
  let verdict = notOk(results.grantflow)
  if (verdict === undefined) {
    const requests = okMedian(results.grantflow)!
    const failed = extraReported(results.grantflow, "failedCallers") ?? 0
    verdict = {
      status: requests === 1 && failed === 0 ? "met" : "not met",
      detail: `${requests} token request(s) for ${callers} callers (goal 1), all resolved in ${round(extraMedian(results.grantflow, "msUntilAllResolved") ?? Number.NaN)} ms${failed > 0 ? `, ${failed} callers failed` : ""}`,
    }
  }
  return {
    description:
      `${callers.toLocaleString("en")} concurrent callers ask for a token on a cold cache in one process: token ` +
      "requests that reach the server, and ms until every caller has one. Peers without a token cache are " +
      "used as their READMEs show, so each caller requests.",
    metric: "token requests reaching the server",
    unit: "requests",
    goal: "1 request",
    results,
    ratios: {},
    verdict,
    parameters: { callers, stub: herdStub, measuredOnce: uncached },
  }
}

export async function herdProcesses(ctx: Context): Promise<ScenarioResult> {
  const impls = ["grantflow", "cached-promise", "@badgateway/oauth2-client"]
  const processes = ctx.smoke ? 2 : 4
  const callers = ctx.smoke ? 50 : 2_500
  ctx.stub.configure(herdStub)
  const redis = await ctx.redis()
  const collected = await collect(ctx, "herd_processes", impls, async (impl) => {
    ctx.stub.reset()
    await redis.flush()
    const jobs: Job[] = Array.from({ length: processes }, () => ({
      kind: "herd" as const,
      impl,
      target: ctx.target,
      callers,
      // Only grantflow shares a store; the others have nothing to put in Redis.
      redisUrl: impl === "grantflow" ? redis.url : undefined,
    }))
    const rs = (await runWorkers(jobs)).map((r) => only(r, "herd"))
    const failed = rs.reduce((n, r) => n + r.errors, 0)
    if (failed === processes * callers) throw new Error(`every caller failed: ${rs[0]?.firstError}`)
    return {
      tokenRequests: ctx.stub.stats.tokenRequests,
      msUntilAllResolved: Math.max(...rs.map((r) => r.elapsedMs)),
      failedCallers: failed,
    }
  })
  const results = entries(collected, "tokenRequests")
  let verdict = notOk(results.grantflow)
  if (verdict === undefined) {
    const requests = okMedian(results.grantflow)!
    const failed = extraReported(results.grantflow, "failedCallers") ?? 0
    verdict = {
      status: requests === 1 && failed === 0 ? "met" : "not met",
      detail: `${requests} token request(s) for ${processes} x ${callers} callers (goal 1)${failed > 0 ? `, ${failed} callers failed` : ""}`,
    }
  }
  return {
    description:
      `${processes} processes x ${callers.toLocaleString("en")} concurrent callers on a cold cache, started ` +
      "together: token requests that reach the server. grantflow shares tokens and its refresh lock through " +
      "@grantflow/redis; the peers keep a cache per process.",
    metric: "token requests reaching the server",
    unit: "requests",
    goal: "1 request",
    results,
    ratios: {},
    verdict,
    parameters: {
      processes,
      callersPerProcess: callers,
      stub: herdStub,
      redis: "redis-server, one per bench run",
    },
  }
}

export async function rotation(ctx: Context): Promise<ScenarioResult> {
  const impls = ["grantflow", "@badgateway/oauth2-client"]
  const p = ctx.smoke
    ? { processes: 2, callsPerProcess: 20, sessions: 2, expiresIn: 1, durationMs: 2_500 }
    : { processes: 4, callsPerProcess: 1_000, sessions: 10, expiresIn: 1, durationMs: 20_000 }
  const stubOptions = { expiresIn: p.expiresIn, rotation: true, delayMs: 20 }
  ctx.stub.configure(stubOptions)
  const redis = await ctx.redis()
  const sessions = Array.from({ length: p.sessions }, (_, i) => `user-${i}`)
  // The peer has no lock across processes: its sessions die at the first expiry in every run,
  // and each run takes the full duration, so it runs once.
  const once = ["@badgateway/oauth2-client"]
  const collected = await collect(
    ctx,
    "rotation",
    impls,
    async (impl) => {
      ctx.stub.reset()
      await redis.flush()
      const seed: Record<string, SeedTokens> = {}
      for (const s of sessions) {
        const issued = ctx.stub.issue(true)
        seed[s] = {
          access_token: issued.access_token,
          refresh_token: issued.refresh_token!,
          expires_in: issued.expires_in,
          issuedAt: Date.now(),
        }
      }
      const jobs: Job[] = Array.from({ length: p.processes }, (_, index) => ({
        kind: "rotation" as const,
        impl,
        target: ctx.target,
        redisUrl: redis.url,
        sessions,
        calls: p.callsPerProcess,
        durationMs: p.durationMs,
        index,
        workers: p.processes,
        seed: index === 0 ? seed : undefined,
      }))
      const rs = (await runWorkers(jobs, p.durationMs + 60_000)).map((r) => only(r, "rotation"))
      const lost = new Set(rs.flatMap((r) => r.failedSessions))
      const firstError = rs.find((r) => r.firstError !== undefined)?.firstError
      if (firstError !== undefined) ctx.log(`    first error (${impl}): ${firstError.split("\n")[0]}`)
      return {
        invalidGrant: ctx.stub.stats.invalidGrant,
        lostSessions: lost.size,
        failedCalls: rs.reduce((n, r) => n + r.failed, 0),
        refreshesServed: ctx.stub.stats.refreshes,
        staleTokensRejectedByApi: ctx.stub.stats.resourceRejected,
        staleWhenHandedOut: ctx.stub.stats.resourceStaleWhenHandedOut,
        refreshTokensSentTwice: ctx.stub.stats.refreshTokensReused,
        stalestTokenPastExpiryMs: ctx.stub.stats.resourceLatestPastExpiryMs,
        slowestRejectedCallMs: Math.max(0, ...rs.map((r) => r.slowestRejectedCallMs).filter(Number.isFinite)),
        eventLoopDelayMaxMs: Math.max(0, ...rs.map((r) => r.eventLoopDelayMaxMs).filter(Number.isFinite)),
      }
    },
    once,
  )
  const results = entries(collected, "invalidGrant")
  let verdict = notOk(results.grantflow)
  if (verdict === undefined) {
    // Safety counts: the worst run, not the median.
    const invalid = okReported(results.grantflow)!
    const lost = extraReported(results.grantflow, "lostSessions") ?? Number.NaN
    const stale = extraReported(results.grantflow, "staleTokensRejectedByApi") ?? 0
    const failed = extraReported(results.grantflow, "failedCalls") ?? 0
    const staleAtHandOut = extraReported(results.grantflow, "staleWhenHandedOut") ?? 0
    verdict = {
      status: invalid === 0 && lost === 0 ? "met" : "not met",
      detail:
        `worst run: ${invalid} invalid_grant, ${lost} lost sessions (goal 0 and 0), ${failed} failed calls, ` +
        `${stale} stale tokens rejected by the API (${staleAtHandOut} already expired when handed out, the ` +
        `others expired on the way); ${extraMedian(results.grantflow, "refreshesServed")} refreshes (median)`,
    }
  }
  return {
    description:
      `Refresh-token rotation under load: the stub accepts each refresh token once and issues ${p.expiresIn} s ` +
      `access tokens; ${p.processes} processes x ${p.callsPerProcess} calls spread over ${p.durationMs / 1000} s ` +
      `(about ${Math.round(p.durationMs / 1000 / p.expiresIn)} expiries) across ${p.sessions} user sessions that ` +
      "share Redis. Each call gets the session's token and calls an API with it. A lost session is one for which " +
      "some call ended in an error.",
    metric: "invalid_grant answers",
    unit: "answers",
    goal: "0 invalid_grant and 0 lost sessions",
    results,
    ratios: {},
    verdict,
    parameters: { ...p, stub: stubOptions, measuredOnce: once },
  }
}

export async function expiryStorm(ctx: Context): Promise<ScenarioResult> {
  const impls = ["grantflow", "grantflow-unbounded"]
  const sessions = ctx.smoke ? 200 : 10_000
  // Rotating refresh tokens and 20-50 ms of server time per answer, from a stub forked into its own
  // process (the client runs in a forked worker, this runner only waits).
  const stubOptions = { expiresIn: 3600, rotation: true, delayMs: 20, delayJitterMs: 30 }
  const stub = await forkStub(stubOptions)
  const target = { url: stub.url, tokenEndpoint: stub.tokenEndpoint }
  try {
    const collected = await collect(ctx, "expiry_storm", impls, async (impl) => {
      await stub.reset()
      // Every session logged in an hour ago: all their access tokens expired at the same moment.
      const seed: Record<string, SeedTokens> = {}
      const issuedAt = Date.now() - 3_600_000
      const issued = await stub.issue(sessions, true)
      issued.forEach((tokens, i) => {
        seed[`user-${i}`] = {
          access_token: tokens.access_token,
          refresh_token: tokens.refresh_token!,
          expires_in: tokens.expires_in,
          issuedAt,
        }
      })
      const [r] = await runWorkers([{ kind: "storm", impl, target, seed }], 300_000)
      const storm = only(r!, "storm")
      if (storm.firstError !== undefined)
        ctx.log(`    first error (${impl}): ${storm.firstError.split("\n")[0]}`)
      const stats = await stub.stats()
      return {
        renewed: storm.renewed,
        lostSessions: storm.failed,
        refreshTokensSentTwice: stats.refreshTokensReused,
        invalidGrant: stats.invalidGrant,
        msToDrain: storm.elapsedMs,
        refreshesServed: stats.refreshes,
      }
    })
    const results = entries(collected, "renewed")
    let verdict = notOk(results.grantflow)
    if (verdict === undefined) {
      const entry = results.grantflow
      // The worst run: the fewest renewed, the most lost and sent twice.
      const renewed = entry?.status === "ok" ? Math.min(...entry.runs) : Number.NaN
      const lost = extraReported(entry, "lostSessions") ?? Number.NaN
      const twice = extraReported(entry, "refreshTokensSentTwice") ?? Number.NaN
      verdict = {
        status: renewed === sessions && lost === 0 && twice === 0 ? "met" : "not met",
        detail:
          `worst run: ${renewed} of ${sessions} renewed, ${lost} lost, ${twice} refresh tokens sent twice ` +
          `(goal ${sessions}, 0, 0); drained in ${round(extraMedian(entry, "msToDrain") ?? Number.NaN)} ms (median)`,
      }
    }
    return {
      description:
        `${sessions.toLocaleString("en")} user sessions in one process expire together and are all asked for a ` +
        "token at once; the token server (a stub in its own process) rotates refresh tokens and takes 20-50 ms " +
        "per answer. renewed = callers that got a new token; lost = callers that got an error (with rotation their " +
        "session may be gone); refresh tokens sent twice = requests that presented an already spent refresh token; " +
        "msToDrain = ms until every caller had an answer. grantflow-unbounded is the same client with " +
        "maxConcurrentRenewals lifted, as renewals ran before the bound.",
      metric: "sessions renewed",
      unit: "sessions",
      goal: `${sessions.toLocaleString("en")} renewed, 0 lost, 0 refresh tokens sent twice; report the time to drain`,
      results,
      ratios: {},
      verdict,
      parameters: {
        sessions,
        stub: { ...stubOptions, process: "its own (forked)" },
        maxConcurrentRenewals: { grantflow: 64, "grantflow-unbounded": 1_000_000 },
      },
    }
  } finally {
    await stub.close()
  }
}

export const scenarios = {
  cold_request: coldRequest,
  hot_path: hotPath,
  api_call: apiCall,
  herd_in_process: herdInProcess,
  herd_processes: herdProcesses,
  rotation,
  encryption_at_rest: encryptionAtRest,
  expiry_storm: expiryStorm,
  import: importTime,
} satisfies Record<string, (ctx: Context) => Promise<ScenarioResult>>
