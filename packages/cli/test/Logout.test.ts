import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Cli } from "./support/cli.js"
import { loginToCryptohopper } from "./support/login.js"

let sb: Sandbox
let cli: Cli

beforeAll(async () => {
  sb = await startSandbox({ consent: "page" })
})
afterAll(() => sb.stop())
beforeEach(async () => {
  cli = await Cli.make({ GRANTFLOW_SANDBOX_URL: sb.url })
  sb.faults.clear()
})
afterEach(() => cli.cleanup())

describe("grantflow status and logout", () => {
  it("lists sessions with scopes, expiry and whether a refresh token is held", async () => {
    await loginToCryptohopper(cli, ["--scopes", "read,trade"])
    expect((await cli.run(["token", "cryptofuse"])).code).toBe(0)
    const table = await cli.run(["status"])
    expect(table.code).toBe(0)
    const lines = table.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^PROVIDER\s+CLIENT\s+SESSION\s+SCOPES\s+EXPIRY\s+REFRESH$/)
    expect(lines[1]).toMatch(
      /^cryptofuse\s+fuse-client\s+client_credentials\s+read,write\s+expires in 10 h\s+no refresh token$/,
    )
    expect(lines[2]).toMatch(
      /^cryptohopper\s+hopper-app\s+default\s+read,trade\s+expires in 365 days\s+refresh token$/,
    )

    const json = await cli.run(["status", "cryptohopper", "--json"])
    const parsed = JSON.parse(json.stdout) as { sessions: Array<Record<string, unknown>> }
    expect(parsed.sessions).toEqual([
      {
        provider: "cryptohopper",
        client: "hopper-app",
        session: "default",
        scopes: ["read", "trade"],
        expiresAt: expect.any(String),
        expired: false,
        refreshToken: true,
      },
    ])
  })

  it("revokes the session at the provider and forgets it", async () => {
    await loginToCryptohopper(cli)
    const token = (await cli.run(["token", "cryptohopper"])).stdout.trim()
    sb.stats.reset()
    const outcome = await cli.run(["logout", "cryptohopper"])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toBe("Logged out of cryptohopper: tokens revoked and forgotten.\n")
    expect(sb.stats.requests("cryptohopper.revoke")).toBe(2)
    const api = await fetch(`${sb.cryptohopper.apiBase}/hopper`, { headers: { "access-token": token } })
    expect(api.status).toBe(401)
    expect(await readdir(join(cli.directory, "sessions"))).toEqual([])
    expect((await cli.run(["token", "cryptohopper"])).code).toBe(3)
    expect((await cli.run(["logout", "cryptohopper"])).stdout).toBe(
      "Not logged in to cryptohopper: nothing to forget.\n",
    )
  })

  it("forgets the tokens even when revoking fails, says so, and exits with 1", async () => {
    await loginToCryptohopper(cli)
    // Enough failures for every attempt: core retries a revocation (it is idempotent).
    sb.faults.next(
      "cryptohopper.revoke",
      { kind: "status", status: 503, body: '{"error":"temporarily_unavailable"}' },
      20,
    )
    const outcome = await cli.run(["logout", "cryptohopper"])
    expect(outcome.code).toBe(1)
    expect(outcome.stdout).toContain(
      "Logged out of cryptohopper: tokens forgotten, but revoking them failed:",
    )
    expect(await readdir(join(cli.directory, "sessions"))).toEqual([])
  })

  it("forgets the session without revoking when the provider cannot be set up, and says why", async () => {
    await loginToCryptohopper(cli)
    sb.stats.reset()
    // No sandbox URL and no CRYPTOHOPPER_* variables: no client to revoke with.
    const outcome = await cli.run(["logout", "cryptohopper"], { GRANTFLOW_SANDBOX_URL: "" })
    expect(outcome.code).toBe(1)
    expect(outcome.stdout).toContain("Forgot the tokens of cryptohopper without revoking them")
    expect(outcome.stdout).toContain("CRYPTOHOPPER_CLIENT_ID")
    expect(sb.stats.requests()).toBe(0)
    expect(await readdir(join(cli.directory, "sessions"))).toEqual([])
    expect((await cli.run(["logout", "nowhere"])).code).toBe(2)
  })

  it("revokes and forgets every Cryptofuse client-credentials token", async () => {
    const token = (await cli.run(["token", "cryptofuse"])).stdout.trim()
    expect((await cli.run(["token", "cryptofuse", "--scopes", "read"])).code).toBe(0)
    const outcome = await cli.run(["logout", "cryptofuse", "--json"])
    expect(JSON.parse(outcome.stdout)).toEqual({ ok: true, forgotten: 2, revoked: true, failures: [] })
    const rates = await fetch(`${sb.cryptofuse.baseUrl}/rates/`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(rates.status).toBe(401)
    expect((await cli.run(["status", "--json"])).stdout).toContain('"sessions":[]')
  })
})
