/**
 * Forks workers (worker.ts), hands each its job, waits until all are set up, starts them together
 * and collects their results.
 */
import { fork, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Job, ToParent, ToWorker, WorkerResult } from "./protocol.ts"

const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url))

/** A worker could not run because grantflow's API for it is not there yet. */
export class PendingError extends Error {
  override readonly name = "PendingError"
}

interface Handle {
  readonly child: ChildProcess
  readonly ready: Promise<void>
  readonly result: Promise<WorkerResult>
}

const start = (job: Job, timeoutMs: number): Handle => {
  const child = fork(workerPath, [], {
    execArgv: ["--expose-gc", "--disable-warning=ExperimentalWarning"],
    // Captured, and shown only when the worker fails (some peers log on every failed refresh).
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "advanced",
  })
  let output = ""
  child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)))
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)))
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const result = new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${job.kind}/${job.impl}: worker timed out after ${timeoutMs} ms\n${output}`))
    }, timeoutMs)
    child.on("message", (m: ToParent) => {
      if (m.type === "ready") markReady()
      else if (m.type === "result") {
        clearTimeout(timer)
        resolve(m.result)
      } else {
        clearTimeout(timer)
        reject(
          m.pending
            ? new PendingError(m.message.split("\n")[0]!.replace(/^Pending: /, ""))
            : new Error(`${job.kind}/${job.impl}: ${m.message}\n${output}`),
        )
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${job.kind}/${job.impl}: worker exited with ${code}\n${output}`))
    })
  })
  // A failure before `ready` must not leave the others waiting.
  result.catch(() => markReady())
  child.send({ type: "job", job } satisfies ToWorker)
  return { child, ready, result }
}

/**
 * Runs jobs in as many workers, started together once all are ready; `first` (optional) runs and
 * gets ready before the others are forked (e.g. it seeds the shared store).
 */
export async function runWorkers(jobs: ReadonlyArray<Job>, timeoutMs = 120_000): Promise<WorkerResult[]> {
  const handles: Handle[] = []
  try {
    const [first, ...rest] = jobs
    if (first === undefined) return []
    handles.push(start(first, timeoutMs))
    if (first.kind === "rotation" && first.seed !== undefined) await handles[0]!.ready
    for (const job of rest) handles.push(start(job, timeoutMs))
    await Promise.all(handles.map((h) => h.ready))
    for (const h of handles) if (h.child.connected) h.child.send({ type: "go" } satisfies ToWorker)
    return await Promise.all(handles.map((h) => h.result))
  } finally {
    for (const h of handles) if (h.child.exitCode === null) h.child.kill("SIGKILL")
  }
}
