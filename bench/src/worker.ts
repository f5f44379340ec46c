/**
 * The child process every measurement runs in, so that one library's JIT warm-up, heap and
 * sockets never bill another. The parent sends one job; the worker sets up, says `ready`, waits
 * for `go` (so several workers start together), does the work and sends its result.
 */
import { performance } from "node:perf_hooks"
import { apiImpls, requestImpls, sessionImpls, sourceImpls } from "./impls.ts"
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
  let firstError: string | undefined
  const failedSessions = new Set<string>()
  const call = async (session: string) => {
    try {
      const token = await source.get(session)
      // An API call with the token: a token handed out after it expired is caught here.
      const res = await fetch(`${job.target.url}/resource`, { headers: { authorization: `Bearer ${token}` } })
      await res.arrayBuffer()
      if (res.status !== 200) rejectedByApi++
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
  await source.close?.()
  return {
    kind: "rotation",
    failed,
    rejectedByApi,
    failedSessions: [...failedSessions],
    firstError,
  }
}

process.on("message", (message: ToWorker) => {
  if (message.type === "go") return go()
  const job = message.job
  const run = { cold, hot, api, herd, rotation }[job.kind] as (j: Job) => Promise<WorkerResult>
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
