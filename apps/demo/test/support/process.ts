/** Runs the built `dist/main.js` as `pnpm demo` does, with a chosen environment and a time limit. */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url))

export interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<Exited>
}

/** Starts main with only PATH and `env` (none of the caller's CRYPTO* variables leak in). */
export const startMain = (env: Record<string, string>): Running => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`pnpm --filter @grantflow/demo build\` first`)
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<Exited>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

// Bounds, not expectations: on a loaded 2-core CI machine (load average 20+ seen while every package's
// tests run at once) starting Node, Nest and the embedded sandbox took more than 20 s.
const START_BOUND_MS = 60_000

/** Runs main to its end; kills it (and fails) if it is still running after `timeoutMs`. */
export const runMain = async (env: Record<string, string>, timeoutMs = START_BOUND_MS): Promise<Exited> => {
  const running = startMain(env)
  const timer = setTimeout(() => running.child.kill("SIGKILL"), timeoutMs)
  try {
    const result = await running.exited
    if (result.signal === "SIGKILL")
      throw new Error(`main did not exit within ${timeoutMs} ms: ${result.stdout}${result.stderr}`)
    return result
  } finally {
    clearTimeout(timer)
  }
}

/** Waits until main's stdout matches `pattern`; rejects when it exits first or takes too long. */
export const waitForOutput = (
  running: Running,
  pattern: RegExp,
  timeoutMs = START_BOUND_MS,
): Promise<RegExpExecArray> =>
  new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(running.stdout())
      if (match !== null) {
        cleanup()
        resolve(match)
      }
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(
        new Error(
          `no ${pattern} in main's output within ${timeoutMs} ms: ${running.stdout()}${running.stderr()}`,
        ),
      )
    }, timeoutMs)
    const onExit = () => {
      cleanup()
      reject(new Error(`main exited early: ${running.stdout()}${running.stderr()}`))
    }
    const cleanup = () => {
      clearTimeout(timer)
      running.child.stdout!.off("data", check)
      running.child.off("exit", onExit)
    }
    running.child.stdout!.on("data", check)
    running.child.once("exit", onExit)
    check()
  })
