import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Cli } from "./support/cli.js"
import { loginToCryptohopper } from "./support/login.js"

let sb: Sandbox
let cli: Cli

beforeAll(async () => {
  // Rotating refresh tokens: a refresh token spent twice would end the session.
  sb = await startSandbox({ consent: "page", rotateRefreshTokens: true })
})
afterAll(() => sb.stop())
beforeEach(async () => {
  cli = await Cli.make({ GRANTFLOW_SANDBOX_URL: sb.url })
  sb.faults.clear()
})
afterEach(() => cli.cleanup())

const sessionFile = async () => {
  const dir = join(cli.directory, "sessions")
  const [name] = (await readdir(dir)).filter((n) => n.startsWith("cryptohopper"))
  return join(dir, name!)
}

/** Moves the stored session's expiry into the past, as the passing of a year would. */
const expireStoredSession = async () => {
  const file = await sessionFile()
  const stored = JSON.parse(await readFile(file, "utf8")) as { tokens: string }
  const tokens = JSON.parse(stored.tokens) as { expiresAt: number }
  tokens.expiresAt = Date.now() - 1000
  await writeFile(file, JSON.stringify({ ...stored, tokens: JSON.stringify(tokens) }), { mode: 0o600 })
}

const hopperApi = (token: string) =>
  fetch(`${sb.cryptohopper.apiBase}/hopper`, { headers: { "access-token": token } })

describe("grantflow token", () => {
  it("prints the access token and nothing else, and the sandbox API accepts it", async () => {
    await loginToCryptohopper(cli)
    const outcome = await cli.run(["token", "cryptohopper"])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(/^[0-9a-f]{40}\n$/)
    expect(outcome.stderr).toBe("")
    expect((await hopperApi(outcome.stdout.trim())).status).toBe(200)
  })

  it("renews an expired session once when two grantflow processes ask at the same moment", async () => {
    await loginToCryptohopper(cli)
    await expireStoredSession()
    sb.stats.reset()
    // The first refresh is held back for a while, so both processes are surely running while it is in flight.
    sb.faults.next("cryptohopper.token", { kind: "delay", ms: 1500 })
    const [a, b] = await Promise.all([cli.run(["token", "cryptohopper"]), cli.run(["token", "cryptohopper"])])
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, "", ""])
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(a.stdout).toBe(b.stdout)
    expect((await hopperApi(a.stdout.trim())).status).toBe(200)
    // The session lives on: its rotated refresh token was spent once.
    await expireStoredSession()
    const again = await cli.run(["token", "cryptohopper"])
    expect(again.code).toBe(0)
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(2)
  })

  it("gets a Cryptofuse token by client credentials once and serves it from the file store afterwards", async () => {
    sb.stats.reset()
    const first = await cli.run(["token", "cryptofuse"])
    const second = await cli.run(["token", "cryptofuse"])
    expect(first.code).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
    const rates = await fetch(`${sb.cryptofuse.baseUrl}/rates/`, {
      headers: { authorization: `Bearer ${first.stdout.trim()}` },
    })
    expect(rates.status).toBe(200)
  })

  it("fails with exit code 1 and invalid_client for a wrong Cryptofuse secret, printing no token", async () => {
    const outcome = await cli.run(["token", "cryptofuse"], { CRYPTOFUSE_CLIENT_SECRET: "wrong-secret" })
    expect(outcome.code).toBe(1)
    expect(outcome.stdout).toBe("")
    expect(outcome.stderr).toContain("cryptofuse rejected the client credentials (invalid_client")
    expect(outcome.stderr).toContain("CRYPTOFUSE_CLIENT_SECRET")
    expect(outcome.stderr).not.toContain("wrong-secret")
  })

  it("ends a session whose refresh token the provider refuses: exit 3, the session forgotten", async () => {
    await loginToCryptohopper(cli)
    const file = await sessionFile()
    const { refreshToken } = JSON.parse(
      (JSON.parse(await readFile(file, "utf8")) as { tokens: string }).tokens,
    ) as {
      refreshToken: string
    }
    // Revoked behind the CLI's back (as a password change or an app removal would).
    const revoked = await fetch(sb.cryptohopper.revocationEndpoint, {
      method: "POST",
      body: new URLSearchParams({
        token: refreshToken,
        client_id: "hopper-app",
        client_secret: "hopper-secret",
      }),
    })
    expect(revoked.status).toBe(200)
    await expireStoredSession()
    const outcome = await cli.run(["token", "cryptohopper"])
    expect(outcome.code).toBe(3)
    expect(outcome.stdout).toBe("")
    expect(outcome.stderr).toBe(
      "grantflow token: cryptohopper refused the stored refresh token: run grantflow login cryptohopper\n",
    )
    expect(await readdir(join(cli.directory, "sessions"))).toEqual([])
  })

  it("exits with 3 and says how to log in when there is no session", async () => {
    const outcome = await cli.run(["token", "cryptohopper"])
    expect(outcome.code).toBe(3)
    expect(outcome.stdout).toBe("")
    expect(outcome.stderr).toBe(
      "grantflow token: not logged in to cryptohopper: run grantflow login cryptohopper\n",
    )
  })

  it("exits with 5 and names the file when the stored session is damaged", async () => {
    await loginToCryptohopper(cli)
    const file = await sessionFile()
    await writeFile(file, '{"version":1,"key":"cryptohopper:hopper-app:default","tok')
    const outcome = await cli.run(["token", "cryptohopper"])
    expect(outcome.code).toBe(5)
    expect(outcome.stdout).toBe("")
    expect(outcome.stderr).toContain(`${file} is not valid JSON`)

    // Whole JSON, but not a token set: core's decoding refuses it, and the file is named.
    await writeFile(
      file,
      JSON.stringify({ version: 1, key: "cryptohopper:hopper-app:default", tokens: '{"accessToken":42}' }),
    )
    const shape = await cli.run(["token", "cryptohopper"])
    expect(shape.code).toBe(5)
    expect(shape.stdout).toBe("")
    expect(shape.stderr).toContain(`${file} holds no valid token set`)
  })
})
