/**
 * Starts a throwaway `redis-server` (no persistence) on a free 127.0.0.1 port as a child process,
 * for the scenarios that share tokens between processes.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createServer } from "node:net"
import { createClient } from "redis"

export interface RedisServer {
  readonly url: string
  /** Empties the database between runs. */
  flush(): Promise<void>
  stop(): Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  )
  let output = ""
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()))
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()))
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) =>
      reject(
        new Error(
          `could not start redis-server (${e.message}); install it, e.g. apt-get install redis-server`,
        ),
      ),
    ),
  )
  const url = `redis://127.0.0.1:${port}`
  const admin = createClient({
    url,
    socket: { reconnectStrategy: (retries) => (retries > 50 ? false : 100) },
  })
  admin.on("error", () => {})
  await Promise.race([admin.connect(), spawnError]).catch((e: unknown) => {
    child.kill()
    throw new Error(`redis-server did not come up on port ${port}: ${String(e)}\n${output}`)
  })
  return {
    url,
    flush: async () => {
      await admin.flushAll()
    },
    stop: async () => {
      await admin.close().catch(() => {})
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve))
        child.kill("SIGTERM")
        await exited
      }
    },
  }
}
