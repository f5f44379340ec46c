/**
 * Runs the built `grantflow` as a user would: `node dist/bin.js …` in a child process, with its own
 * state directory (XDG_STATE_HOME) and only the environment a test gives it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("../..", import.meta.url))
export const BIN = join(packageDir, "dist/bin.js")

export interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Every output any grantflow process of the test file printed, for the "no token leaks" checks. */
export const transcript: Array<{
  readonly args: ReadonlyArray<string>
  readonly stdout: string
  readonly stderr: string
}> = []

export interface Running {
  readonly child: ChildProcessWithoutNullStreams
  /** Resolves with the first match of `pattern` in stderr (what the person reads). */
  readonly waitForStderr: (pattern: RegExp) => Promise<RegExpExecArray>
  readonly done: Promise<Outcome>
}

export class Cli {
  private constructor(
    readonly stateHome: string,
    readonly env: Record<string, string>,
  ) {}

  /** A CLI user with a fresh, empty state directory. */
  static async make(env: Record<string, string>): Promise<Cli> {
    if (!existsSync(BIN)) throw new Error("build the package first: pnpm --filter @grantflow/cli build")
    return new Cli(await mkdtemp(join(tmpdir(), "grantflow-cli-")), env)
  }

  /** `$XDG_STATE_HOME/grantflow`. */
  get directory(): string {
    return join(this.stateHome, "grantflow")
  }

  start(args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}): Running {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: this.stateHome,
        XDG_STATE_HOME: this.stateHome,
        // Nothing may try to start a real browser in a test.
        BROWSER: "false",
        ...this.env,
        ...extraEnv,
      },
      stdio: ["pipe", "pipe", "pipe"],
    })
    child.stdin.end()
    let stdout = ""
    let stderr = ""
    const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = []
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i]!
        const m = w.pattern.exec(stderr)
        if (m) {
          waiters.splice(i, 1)
          w.resolve(m)
        }
      }
    })
    const done = new Promise<Outcome>((resolve, reject) => {
      child.once("error", reject)
      child.once("close", (code) => {
        transcript.push({ args, stdout, stderr })
        resolve({ code, stdout, stderr })
      })
    })
    return {
      child,
      done,
      waitForStderr: (pattern) =>
        new Promise((resolve, reject) => {
          const m = pattern.exec(stderr)
          if (m) return resolve(m)
          waiters.push({ pattern, resolve })
          done.then(
            (o) =>
              reject(
                new Error(
                  `grantflow ${args.join(" ")} exited ${o.code} before printing ${pattern}:\n${o.stderr}`,
                ),
              ),
            reject,
          )
        }),
    }
  }

  run(args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}): Promise<Outcome> {
    return this.start(args, extraEnv).done
  }

  async cleanup(): Promise<void> {
    await rm(this.stateHome, { recursive: true, force: true })
  }
}
