/**
 * The token stub in a process of its own (forked), for scenarios where the client's process must
 * not share an event loop or a CPU slot with the server answering it (`expiry_storm`). The parent
 * talks to it over IPC: configure, reset, issue login token sets, read the counters, close.
 */
import { fork, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { startStub, type StubOptions, type StubStats, type TokenBody } from "./stubServer.ts"

type Request =
  | { id: number; op: "configure"; options: Partial<StubOptions> }
  | { id: number; op: "reset" }
  | { id: number; op: "issue"; count: number; withRefreshToken: boolean }
  | { id: number; op: "stats" }
  | { id: number; op: "close" }

/** A request before it gets its id (Omit distributed over the union). */
type Call = Request extends infer R ? (R extends Request ? Omit<R, "id"> : never) : never

export interface StubProcess {
  readonly url: string
  readonly tokenEndpoint: string
  configure(options: Partial<StubOptions>): Promise<void>
  reset(): Promise<void>
  /** `count` token sets issued outside the HTTP path, e.g. the sessions users got at login. */
  issue(count: number, withRefreshToken: boolean): Promise<TokenBody[]>
  stats(): Promise<StubStats>
  close(): Promise<void>
}

/** Forks a stub process and waits until it listens. */
export async function forkStub(initial: Partial<StubOptions> = {}): Promise<StubProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--child"], {
    execArgv: ["--disable-warning=ExperimentalWarning"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  })
  const pending = new Map<number, (value: unknown) => void>()
  let next = 0
  const listening = new Promise<{ url: string; tokenEndpoint: string }>((resolve, reject) => {
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`stub process exited with ${code}`)))
    child.on("message", (m: { id?: number; value?: unknown; url?: string; tokenEndpoint?: string }) => {
      if (m.id === undefined) return resolve({ url: m.url!, tokenEndpoint: m.tokenEndpoint! })
      pending.get(m.id)?.(m.value)
      pending.delete(m.id)
    })
  })
  child.send({ initial })
  const { url, tokenEndpoint } = await listening
  const call = <A>(request: Call): Promise<A> =>
    new Promise((resolve) => {
      const id = ++next
      pending.set(id, resolve as (value: unknown) => void)
      child.send({ ...request, id })
    })
  return {
    url,
    tokenEndpoint,
    configure: (options) => call({ op: "configure", options }),
    reset: () => call({ op: "reset" }),
    issue: (count, withRefreshToken) => call({ op: "issue", count, withRefreshToken }),
    stats: () => call({ op: "stats" }),
    close: async () => {
      child.removeAllListeners("exit")
      const exited = new Promise((resolve) => child.once("exit", resolve))
      await call({ op: "close" })
      await exited
    },
  }
}

// The child: one stub, driven by the parent's messages.
if (process.argv.includes("--child")) {
  process.once("message", async ({ initial }: { initial: Partial<StubOptions> }) => {
    const stub = await startStub(initial)
    process.on("message", async (r: Request) => {
      let value: unknown
      switch (r.op) {
        case "configure":
          stub.configure(r.options)
          break
        case "reset":
          stub.reset()
          break
        case "issue":
          value = Array.from({ length: r.count }, () => stub.issue(r.withRefreshToken))
          break
        case "stats":
          value = { ...stub.stats }
          break
        case "close":
          await stub.close()
          process.send!({ id: r.id, value }, () => process.exit(0))
          return
      }
      process.send!({ id: r.id, value })
    })
    process.send!({ url: stub.url, tokenEndpoint: stub.tokenEndpoint })
  })
}
