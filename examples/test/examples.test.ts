/**
 * Each package README's first example is a file in examples/, and the README quotes it: these
 * tests check the quote and run every file with node against a real sandbox (and a real
 * redis-server), the way a reader would after `pnpm sandbox` with GRANTFLOW_SANDBOX_URL set.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { createServer } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startRedisServer, type RedisServer } from "../../packages/redis/test/support/redisServer.js"
import { runNode, startNode } from "./support/runNode.js"

const examples = fileURLToPath(new URL("..", import.meta.url))
const repo = join(examples, "..")

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterAll(() => sb?.stop())

const sandboxEnv = () => ({ GRANTFLOW_SANDBOX_URL: sb.url })

/** The example file without its leading `//` comment lines (how to run it), as the README quotes it. */
const exampleBody = (file: string) => {
  const lines = readFileSync(join(examples, file), "utf8").split("\n")
  return lines.slice(lines.findIndex((l) => !l.startsWith("//"))).join("\n")
}

/** The README's first fenced code block, with its closing newline. */
const firstReadmeBlock = (pkg: string) => {
  const readme = readFileSync(join(repo, "packages", pkg, "README.md"), "utf8")
  const match = /```tsx?\n([\s\S]*?)```/.exec(readme)
  if (match === null) throw new Error(`no code block in packages/${pkg}/README.md`)
  return match[1]
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error()),
      )
    })
  })

describe.each([
  ["core", "core.ts"],
  ["redis", "redis.ts"],
  ["sandbox", "sandbox.ts"],
  ["nest", "nest.ts"],
  ["passport-strategy", "passport-strategy.ts"],
  ["react-hooks", "react-hooks.tsx"],
  ["cli", "cli.ts"],
])("packages/%s/README.md", (pkg, file) => {
  it(`quotes examples/${file} as its first example`, () => {
    expect(firstReadmeBlock(pkg)).toBe(exampleBody(file))
  })
})

describe("examples/core.ts", () => {
  it("prints the sandbox's rates and exits 0", async () => {
    const run = await runNode(["core.ts"], { cwd: examples, env: sandboxEnv() })
    expect(run.stderr).toBe("")
    expect(run.stdout).toContain("base: 'USD'")
    expect(run.code).toBe(0)
  })

  it("reports a TransportError and exits 1 when nothing answers at GRANTFLOW_SANDBOX_URL", async () => {
    const run = await runNode(["core.ts"], {
      cwd: examples,
      env: { GRANTFLOW_SANDBOX_URL: `http://127.0.0.1:${await freePort()}` },
    })
    expect(run.stderr).toContain("TransportError")
    expect(run.stdout).toBe("")
    expect(run.code).toBe(1)
  })
})

describe("examples/cli.ts", () => {
  it("uses the token the grantflow command stored, and the command then uses the same one", async () => {
    const stateHome = await mkdtemp(join(tmpdir(), "grantflow-example-"))
    try {
      const env = { ...sandboxEnv(), XDG_STATE_HOME: stateHome }
      sb.stats.reset()
      const token = await runNode([join(repo, "packages/cli/dist/bin.js"), "token", "cryptofuse"], {
        cwd: examples,
        env,
      })
      expect(token.code).toBe(0)
      const run = await runNode(["cli.ts"], { cwd: examples, env })
      expect(run.stderr).toBe("")
      expect(run.stdout).toBe("200 USD\n")
      expect(run.code).toBe(0)
      const again = await runNode([join(repo, "packages/cli/dist/bin.js"), "token", "cryptofuse"], {
        cwd: examples,
        env,
      })
      expect(again.stdout).toBe(token.stdout)
      // One token for the command and the program: the file store is shared.
      expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
    } finally {
      await rm(stateHome, { recursive: true, force: true })
    }
  })
})

describe("examples/sandbox.ts", () => {
  it("prints a token answer and exits 0 after stopping its sandbox", async () => {
    const run = await runNode(["sandbox.ts"], { cwd: examples })
    expect(run.stderr).toBe("")
    expect(run.stdout).toContain("token_type: 'Bearer'")
    expect(run.code).toBe(0)
  })
})

describe("examples/redis.ts", () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(() => redis?.stop())

  it("caches the token in Redis under its prefix, then closes everything and exits 0", async () => {
    const run = await runNode(["redis.ts"], { cwd: examples, env: { ...sandboxEnv(), REDIS_URL: redis.url } })
    expect(run.stderr).toBe("")
    expect(run.stdout).toMatch(/^token of [1-9]\d* characters, cached in Redis for every instance\n$/)
    expect(run.code).toBe(0)
    const raw = await createClient({ url: redis.url })
      .on("error", () => {})
      .connect()
    try {
      expect((await raw.keys("myapp:oauth:*")).length).toBeGreaterThan(0)
    } finally {
      raw.destroy()
    }
  })
})

describe("examples/nest.ts", () => {
  it("compiles, serves /rates from the sandbox, and exits 0 on SIGTERM", async () => {
    execFileSync(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.nest.json"], {
      cwd: examples,
      stdio: "pipe",
    })
    const app = startNode(["dist/nest.js"], { cwd: examples, env: { ...sandboxEnv(), PORT: "0" } })
    const url = (await app.line(/^listening on /)).replace("listening on ", "").replace("[::1]", "127.0.0.1")
    const res = await fetch(`${url}/rates`)
    expect(res.status).toBe(200)
    expect((await res.json()).base).toBe("USD")
    app.kill("SIGTERM")
    const run = await app.exited
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
  })
})

describe("examples/passport-strategy.ts", () => {
  it("logs a person in through the sandbox's Cryptohopper and exits 0 on SIGTERM", async () => {
    const port = await freePort()
    const callback = `http://localhost:${port}/auth/cryptohopper/callback`
    sb.updateClient("hopper-app", { redirectUris: [callback] })
    const app = startNode(["passport-strategy.ts"], {
      cwd: examples,
      env: { ...sandboxEnv(), PORT: String(port) },
    })
    await app.line(/^listening on /)
    const base = `http://localhost:${port}`

    // Plays the browser: follows the redirects and keeps the session cookie (the pending login
    // lives in the session until the callback, the user after it).
    const cookieOf = (res: Response) => res.headers.get("set-cookie")?.split(";")[0] ?? ""
    const start = await fetch(`${base}/auth/cryptohopper`, { redirect: "manual" })
    expect(start.status).toBe(302)
    const consent = await fetch(start.headers.get("location")!, { redirect: "manual" })
    expect(consent.status).toBe(302)
    const back = await fetch(consent.headers.get("location")!, {
      redirect: "manual",
      headers: { cookie: cookieOf(start) },
    })
    expect(back.headers.get("location")).toBe("/")
    const home = await fetch(base, { headers: { cookie: cookieOf(back) } })
    expect(JSON.parse(await home.text())).toEqual({ scopes: ["read", "user"] })

    app.kill("SIGTERM")
    const run = await app.exited
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
  })
})
