/**
 * Starts real `redis-server` processes for the tests: the default export is vitest's global setup
 * (one server for the run, its URL handed to tests as `inject("redisUrl")`); `startRedisServer`
 * gives a test a server of its own to stop.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export interface RedisServer {
  readonly url: string
  readonly port: number
  readonly process: ChildProcess
  stop(): Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      )
    })
  })

const ping = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on("error", () => done(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => done(data.toString().startsWith("+PONG")))
  })

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const startOnce = async (): Promise<RedisServer> => {
  const dir = await mkdtemp(join(tmpdir(), "grantflow-redis-"))
  const port = await freePort()
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  )
  let log = ""
  child.stdout?.on("data", (d) => (log += d))
  child.stderr?.on("data", (d) => (log += d))
  let spawnError: Error | undefined
  child.on("error", (e) => (spawnError = e))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await Promise.race([exited, delay(3000).then(() => child.kill("SIGKILL"))])
    }
    await rm(dir, { recursive: true, force: true })
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    if (spawnError) {
      await rm(dir, { recursive: true, force: true })
      throw new Error(
        `could not start redis-server (${spawnError.message}); install it, e.g. apt-get install redis-server`,
      )
    }
    if (child.exitCode !== null) break
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, port, process: child, stop }
    await delay(50)
  }
  await stop()
  throw new Error(`redis-server did not answer PING on port ${port}:\n${log.slice(-2000)}`)
}

/** Starts a redis-server on a free loopback port in a temporary directory, without persistence. */
export const startRedisServer = async (): Promise<RedisServer> => {
  // A free port can be taken between probing and binding it; one more try covers that race.
  try {
    return await startOnce()
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("could not start")) throw error
    return startOnce()
  }
}

export default async function setup(project: TestProject) {
  const server = await startRedisServer()
  project.provide("redisUrl", server.url)
  return () => server.stop()
}
