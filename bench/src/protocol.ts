/** Messages between the parent (run.ts) and a worker (worker.ts). */
import type { Target } from "./peers/Target.ts"
import type { SeedTokens } from "./impls.ts"

export type Job =
  | { kind: "cold"; impl: string; target: Target; warmup: number; requests: number }
  | { kind: "hot"; impl: string; target: Target; warmupMs: number; measureMs: number }
  | { kind: "api"; impl: string; target: Target; warmup: number; calls: number }
  | { kind: "herd"; impl: string; target: Target; callers: number; redisUrl?: string | undefined }
  | {
      kind: "rotation"
      impl: string
      target: Target
      redisUrl: string
      sessions: ReadonlyArray<string>
      calls: number
      durationMs: number
      index: number
      workers: number
      /** Only the first worker gets it: the sessions to store before anyone starts. */
      seed?: Record<string, SeedTokens> | undefined
    }
  | {
      kind: "storm"
      impl: string
      target: Target
      /** The sessions as the stub issued them at login; their access tokens have all expired. */
      seed: Record<string, SeedTokens>
    }

export type WorkerResult =
  | { kind: "cold"; cpuUsPerRequest: number; wallMs: number }
  | { kind: "hot"; callsPerSecond: number; calls: number }
  | { kind: "api"; cpuUsPerCall: number; wallMs: number }
  | {
      kind: "herd"
      elapsedMs: number
      errors: number
      distinctTokens: number
      firstError?: string | undefined
    }
  | {
      kind: "rotation"
      failed: number
      rejectedByApi: number
      failedSessions: Array<string>
      firstError?: string | undefined
      /** The longest the worker's event loop was blocked, in ms (perf_hooks histogram). */
      eventLoopDelayMaxMs: number
      /** Of the calls the API rejected: the longest from the token's hand-out to the API's answer, in ms. */
      slowestRejectedCallMs: number
    }
  | {
      kind: "storm"
      /** Calls that got a token other than the session's expired one. */
      renewed: number
      failed: number
      elapsedMs: number
      firstError?: string | undefined
    }

export type ToWorker = { type: "job"; job: Job } | { type: "go" }
export type ToParent =
  | { type: "ready" }
  | { type: "result"; result: WorkerResult }
  | { type: "error"; pending: boolean; message: string }
