import { spawn } from "node:child_process"

export interface NodeRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface NodeProcess {
  /** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
  readonly line: (pattern: RegExp) => Promise<string>
  readonly kill: (signal: NodeJS.Signals) => void
  /** The whole run, once the process has exited; `code: null` when it was killed by a signal. */
  readonly exited: Promise<NodeRun>
}

/**
 * Starts `node <args>` (this Node, so the version under test is the one running the tests). A
 * process still running after `timeoutMs` is killed with SIGKILL and reported with `code: null`,
 * so an example that forgets to close something fails instead of hanging the run.
 */
export const startNode = (
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Record<string, string>; readonly timeoutMs?: number },
): NodeProcess => {
  const child = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: { ...process.env, NODE_NO_WARNINGS: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let stdout = ""
  let stderr = ""
  const waiters = new Set<() => void>()
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
    for (const check of waiters) check()
  })
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
  const exited = new Promise<NodeRun>((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      for (const check of waiters) check()
      resolve({ code: signal === null ? code : null, stdout, stderr })
    })
  })
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.split("\n").find((l) => pattern.test(l))
        if (found !== undefined) {
          waiters.delete(check)
          resolve(found)
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check)
          reject(new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`))
        }
      }
      waiters.add(check)
      check()
    })
  return { line, kill: (signal) => void child.kill(signal), exited }
}

/** Runs `node <args>` to completion and collects its output. */
export const runNode = (
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Record<string, string>; readonly timeoutMs?: number },
): Promise<NodeRun> => startNode(args, options).exited
