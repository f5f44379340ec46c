// `client.api`: ky over the authenticated fetch, against the sandbox; and ky stays unloaded until
// `api` is first used (checked in a child process, the only place a module graph starts empty).
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { followAuthorize, fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { sandboxPerFile } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve" })
const pool = env.pool

describe("client.api", { timeout: 20_000 }, () => {
  it("calls a path under the provider's API base with the token attached", async () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    const rates = await fuse.api.get("rates/").json()
    expect(rates).toBeTypeOf("object")
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(1)
  })

  it("renews a refused token once and sends a JSON POST again with its body", async () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read", "write"] }))
    await fuse.getAccessToken()
    env.sb.expireAccessTokens()
    env.sb.stats.reset()
    const payment = await fuse.api.post("payments/", { json: { amount: "4", currency: "BTC" } }).json()
    expect(payment).toMatchObject({ amount: "4", currency: "BTC" })
    expect(env.sb.stats.tokenRequests("cryptofuse")).toBe(1)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(2)
  })

  it("retries an idempotent GET after a 503 and after a reset connection (ky's retry)", async () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    await fuse.getAccessToken()
    env.sb.stats.reset()
    env.sb.faults.next("cryptofuse.api", { kind: "status", status: 503 })
    env.sb.faults.next("cryptofuse.api", { kind: "reset" })
    expect(await fuse.api.get("rates/").json()).toBeTypeOf("object")
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(3)
  })

  it("does not retry a POST after a 503: ky's HTTPError carries the answer", async () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read", "write"] }))
    await fuse.getAccessToken()
    env.sb.stats.reset()
    env.sb.faults.next("cryptofuse.api", { kind: "status", status: 503 })
    const e = await rejectionOf(fuse.api.post("payments/", { json: { amount: "1", currency: "BTC" } }))
    expect(e.name).toBe("HTTPError")
    expect((e.response as Response).status).toBe(503)
    expect(env.sb.stats.requests("cryptofuse.api")).toBe(1)
  })

  it("times out with ky's TimeoutError after timeoutMs when the API never answers", async () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read"] }), { timeoutMs: 300 })
    await fuse.getAccessToken()
    env.sb.faults.next("cryptofuse.api", { kind: "delay", ms: 15_000 })
    const e = await rejectionOf(fuse.api.get("rates/", { retry: 0 }))
    expect(e.name).toBe("TimeoutError")
  })

  it('calls Cryptohopper with the default session\'s token after handleCallback(url): hopper.api.get("hopper")', async () => {
    const hopper = pool.make(hopperProvider(env.sb))
    const { url } = await hopper.authorizationUrl({ scopes: ["read", "user"] })
    await hopper.handleCallback(await followAuthorize(url))
    const hoppers = await hopper.api.get("hopper").json<{ data: ReadonlyArray<unknown> }>()
    expect(hoppers.data.length).toBeGreaterThan(0)
    // A named session has its own ky instance with its own token.
    const { url: second } = await hopper.authorizationUrl({ scopes: ["read", "user"] })
    await hopper.handleCallback(await followAuthorize(second), { session: "yuri" })
    expect(await hopper.session("yuri").api.get("user/get").json()).toMatchObject({
      data: { user: expect.any(Object) },
    })
  })

  it("is the same ky instance on every access", () => {
    const fuse = pool.make(fuseProvider(env.sb, { scopes: ["read"] }))
    expect(fuse.api).toBe(fuse.api)
  })
})

describe("loading ky", () => {
  it("does not load ky when @grantflow/core is imported, only when client.api is first used", async () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url))
    const script = `
      import { registerHooks } from "node:module"
      const loaded = []
      registerHooks({
        resolve(specifier, context, next) {
          if (specifier === "ky" || specifier.startsWith("ky/")) loaded.push(specifier)
          return next(specifier, context)
        },
      })
      const core = await import(${JSON.stringify(dist)})
      const client = core.createOAuthClient(
        core.Providers.cryptofuse({ clientId: "c", clientSecret: "s", baseUrl: "http://127.0.0.1:1" }),
      )
      const before = loaded.length
      const api = client.api
      console.log(JSON.stringify({ before, after: loaded.length, isKy: typeof api.get === "function" }))
      await client.dispose()
    `
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script])
    expect(JSON.parse(stdout)).toEqual({ before: 0, after: 1, isKy: true })
  })

  it("throws a ConfigError naming the fix when ky is not installed, and the rest of the client works", async () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url))
    // A resolve hook that fails for ky as Node does for a package that is not installed.
    const script = `
      import { registerHooks } from "node:module"
      registerHooks({
        resolve(specifier, context, next) {
          if (specifier === "ky") throw Object.assign(new Error("Cannot find package 'ky'"), { code: "ERR_MODULE_NOT_FOUND" })
          return next(specifier, context)
        },
      })
      const core = await import(${JSON.stringify(dist)})
      const client = core.createOAuthClient(
        core.Providers.cryptofuse({ clientId: "c", clientSecret: "s", baseUrl: "http://127.0.0.1:1" }),
      )
      let error
      try { client.api } catch (e) { error = e }
      console.log(JSON.stringify({ tag: error?._tag, reason: error?.reason, fetch: typeof client.fetch }))
      await client.dispose()
    `
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script])
    const out = JSON.parse(stdout)
    expect(out.tag).toBe("ConfigError")
    expect(out.reason).toMatch(/install ky/)
    expect(out.fetch).toBe("function")
  })
})
