/**
 * The child process every measurement runs in, so that one library's JIT warm-up, heap and
 * sockets never bill another. The parent sends one job; the worker sets up, says `ready`, waits
 * for `go` (so several workers start together), does the work and sends its result.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { apiImpls, requestImpls, sessionImpls, sourceImpls, stormImpls } from "./impls.ts"
import { Pending } from "./Pending.ts"
import type { Job, ToParent, ToWorker, WorkerResult } from "./protocol.ts"

const send = (message: ToParent) =>
  new Promise<void>((resolve) => {
    process.send?.(message, undefined, {}, () => resolve())
  })

let go: () => void = () => {}
const started = new Promise<void>((resolve) => (go = resolve))

const expectToken = (token: unknown) => {
  if (typeof token !== "string" || token.length === 0)
    throw new Error(`got ${typeof token} instead of a token`)
}

async function cold(job: Extract<Job, { kind: "cold" }>): Promise<WorkerResult> {
  const request = await requestImpls[job.impl]!(job.target)
  for (let i = 0; i < job.warmup; i++) expectToken(await request())
  await send({ type: "ready" })
  await started
  globalThis.gc?.()
  const wall0 = performance.now()
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < job.requests; i++) await request()
  const cpu = process.cpuUsage(cpu0)
  const wallMs = performance.now() - wall0
  return { kind: "cold", cpuUsPerRequest: (cpu.user + cpu.system) / job.requests, wallMs }
}

async function api(job: Extract<Job, { kind: "api" }>): Promise<WorkerResult> {
  const call = await apiImpls[job.impl]!(job.target)
  for (let i = 0; i < job.warmup; i++) {
    const status = await call()
    if (status !== 200) throw new Error(`the API answered ${status}`)
  }
  await send({ type: "ready" })
  await started
  globalThis.gc?.()
  const wall0 = performance.now()
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < job.calls; i++) await call()
  const cpu = process.cpuUsage(cpu0)
  const wallMs = performance.now() - wall0
  return { kind: "api", cpuUsPerCall: (cpu.user + cpu.system) / job.calls, wallMs }
}

async function hot(job: Extract<Job, { kind: "hot" }>): Promise<WorkerResult> {
  const source = await sourceImpls[job.impl]!(job.target, {})
  expectToken(await source.get())
  const loop = async (ms: number) => {
    let calls = 0
    const t0 = performance.now()
    let elapsed = 0
    do {
      let token: unknown
      for (let i = 0; i < 1000; i++) token = await source.get()
      expectToken(token)
      calls += 1000
      elapsed = performance.now() - t0
    } while (elapsed < ms)
    return { calls, elapsed }
  }
  await loop(job.warmupMs)
  await send({ type: "ready" })
  await started
  const { calls, elapsed } = await loop(job.measureMs)
  source.close?.()
  return { kind: "hot", callsPerSecond: (calls / elapsed) * 1000, calls }
}

async function herd(job: Extract<Job, { kind: "herd" }>): Promise<WorkerResult> {
  const source = await sourceImpls[job.impl]!(job.target, { redisUrl: job.redisUrl })
  await send({ type: "ready" })
  await started
  const t0 = performance.now()
  const settled = await Promise.allSettled(Array.from({ length: job.callers }, () => source.get()))
  const elapsedMs = performance.now() - t0
  let errors = 0
  let firstError: string | undefined
  const tokens = new Set<string>()
  for (const s of settled) {
    if (s.status === "fulfilled") tokens.add(s.value)
    else {
      errors++
      firstError ??= String((s.reason as Error)?.message ?? s.reason)
    }
  }
  source.close?.()
  return { kind: "herd", elapsedMs, errors, distinctTokens: tokens.size, firstError }
}

async function rotation(job: Extract<Job, { kind: "rotation" }>): Promise<WorkerResult> {
  const impl = sessionImpls[job.impl]!
  const options = { redisUrl: job.redisUrl }
  if (job.seed !== undefined) await impl.seed(job.target, options, job.seed)
  const source = await impl.make(job.target, options)
  await send({ type: "ready" })
  await started
  const interval = job.durationMs / job.calls
  // Workers interleave their calls instead of firing in lockstep.
  const phase = (interval * job.index) / job.workers
  let failed = 0
  let rejectedByApi = 0
  let slowestRejectedCallMs = 0
  let firstError: string | undefined
  const failedSessions = new Set<string>()
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const call = async (session: string) => {
    try {
      const token = await source.get(session)
      const handedOut = performance.now()
      // An API call with the token: a token handed out after it expired is caught here (the stub
      // tells those from tokens that expired on the way by the hand-out time).
      const res = await fetch(`${job.target.url}/resource`, {
        headers: { authorization: `Bearer ${token}`, "x-bench-handed-out": String(Date.now()) },
      })
      await res.arrayBuffer()
      if (res.status !== 200) {
        rejectedByApi++
        slowestRejectedCallMs = Math.max(slowestRejectedCallMs, performance.now() - handedOut)
      }
    } catch (e) {
      failed++
      failedSessions.add(session)
      firstError ??= String((e as Error)?.message ?? e)
    }
  }
  const t0 = performance.now()
  const calls: Array<Promise<void>> = []
  await new Promise<void>((resolve) => {
    let i = 0
    const next = () => {
      while (i < job.calls && performance.now() - t0 >= phase + i * interval) {
        calls.push(call(job.sessions[(i + job.index) % job.sessions.length]!))
        i++
      }
      if (i < job.calls) setTimeout(next, Math.max(0, phase + i * interval - (performance.now() - t0)))
      else resolve()
    }
    next()
  })
  await Promise.all(calls)
  loopDelay.disable()
  await source.close?.()
  return {
    kind: "rotation",
    failed,
    rejectedByApi,
    failedSessions: [...failedSessions],
    firstError,
    eventLoopDelayMaxMs: loopDelay.max / 1e6,
    slowestRejectedCallMs,
  }
}

async function storm(job: Extract<Job, { kind: "storm" }>): Promise<WorkerResult> {
  const source = await stormImpls[job.impl]!(job.target)
  await source.seed(job.seed)
  await send({ type: "ready" })
  await started
  const sessions = Object.keys(job.seed)
  const t0 = performance.now()
  const settled = await Promise.allSettled(sessions.map((session) => source.get(session)))
  const elapsedMs = performance.now() - t0
  let renewed = 0
  let failed = 0
  let firstError: string | undefined
  settled.forEach((s, i) => {
    if (s.status === "rejected") {
      failed++
      firstError ??= String((s.reason as Error)?.message ?? s.reason)
    } else if (s.value !== job.seed[sessions[i]!]!.access_token) renewed++
  })
  await source.close()
  return { kind: "storm", renewed, failed, elapsedMs, firstError }
}

process.on("message", (message: ToWorker) => {
  if (message.type === "go") return go()
  const job = message.job
  const run = { cold, hot, api, herd, rotation, storm }[job.kind] as (j: Job) => Promise<WorkerResult>
  run(job).then(
    async (result) => {
      await send({ type: "result", result })
      process.exit(0)
    },
    async (e: unknown) => {
      await send({
        type: "error",
        pending: e instanceof Pending,
        message: e instanceof Error ? (e.stack ?? e.message) : String(e),
      })
      process.exit(e instanceof Pending ? 0 : 1)
    },
  )
})
