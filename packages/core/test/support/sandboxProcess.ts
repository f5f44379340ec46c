/**
 * A sandbox in a process of its own, for tests where the token server must not share the test's
 * event loop (an expiry storm). `forkSandbox` starts it; the child runs `startSandbox` and obeys a
 * few IPC messages (faults, stats, stop).
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { SandboxOptions } from "@grantflow/sandbox"

type Message =
  | { id: number; op: "delayTokens"; ms: number; count: number }
  | { id: number; op: "tokenRequests" }
  | { id: number; op: "resetStats" }
  | { id: number; op: "stop" }

export interface ForkedSandbox {
  readonly cryptohopper: { authorizationEndpoint: string; tokenEndpoint: string; apiBase: string }
  /** The next `count` Cryptohopper token requests wait `ms` first. */
  delayTokens(ms: number, count: number): Promise<void>
  tokenRequests(): Promise<number>
  resetStats(): Promise<void>
  stop(): Promise<void>
}

export const forkSandbox = async (options: SandboxOptions): Promise<ForkedSandbox> => {
  const child = fork(fileURLToPath(import.meta.url), ["--child"], {
    execArgv: ["--disable-warning=ExperimentalWarning"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  })
  const pending = new Map<number, (value: unknown) => void>()
  let next = 0
  const ready = new Promise<ForkedSandbox["cryptohopper"]>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`sandbox process exited with ${code}`)))
    child.on(
      "message",
      (m: { id?: number; value?: unknown; cryptohopper?: ForkedSandbox["cryptohopper"] }) => {
        if (m.id === undefined) return resolve(m.cryptohopper!)
        pending.get(m.id)?.(m.value)
        pending.delete(m.id)
      },
    )
  })
  child.send({ options })
  const cryptohopper = await ready
  const call = <A>(m: Message extends infer R ? (R extends Message ? Omit<R, "id"> : never) : never) =>
    new Promise<A>((resolve) => {
      const id = ++next
      pending.set(id, resolve as (value: unknown) => void)
      child.send({ ...m, id })
    })
  return {
    cryptohopper,
    delayTokens: (ms, count) => call({ op: "delayTokens", ms, count }),
    tokenRequests: () => call({ op: "tokenRequests" }),
    resetStats: () => call({ op: "resetStats" }),
    stop: async () => {
      child.removeAllListeners("exit")
      const exited = new Promise((resolve) => child.once("exit", resolve))
      await call({ op: "stop" })
      await exited
    },
  }
}

if (process.argv.includes("--child")) {
  const { startSandbox } = await import("@grantflow/sandbox")
  process.once("message", async ({ options }: { options: SandboxOptions }) => {
    const sb = await startSandbox(options)
    process.on("message", async (m: Message) => {
      let value: unknown
      if (m.op === "delayTokens") sb.faults.next("cryptohopper.token", { kind: "delay", ms: m.ms }, m.count)
      else if (m.op === "tokenRequests") value = sb.stats.tokenRequests("cryptohopper")
      else if (m.op === "resetStats") sb.stats.reset()
      else {
        await sb.stop()
        process.send!({ id: m.id }, () => process.exit(0))
        return
      }
      process.send!({ id: m.id, value })
    })
    process.send!({
      cryptohopper: {
        authorizationEndpoint: sb.cryptohopper.authorizationEndpoint,
        tokenEndpoint: sb.cryptohopper.tokenEndpoint,
        apiBase: sb.cryptohopper.apiBase,
      },
    })
  })
}
