import { randomBytes } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Cli } from "./support/cli.js"
import { loginToCryptohopper } from "./support/login.js"

let sb: Sandbox
let cli: Cli
const KEY = randomBytes(32).toString("base64")

beforeAll(async () => {
  sb = await startSandbox({ consent: "page" })
})
afterAll(() => sb.stop())
beforeEach(async () => {
  cli = await Cli.make({ GRANTFLOW_SANDBOX_URL: sb.url, GRANTFLOW_ENCRYPTION_KEY: KEY })
})
afterEach(() => cli.cleanup())

const sessionFileText = async () => {
  const dir = join(cli.directory, "sessions")
  const [name] = await readdir(dir)
  return readFile(join(dir, name!), "utf8")
}

describe("tokens encrypted at rest (GRANTFLOW_ENCRYPTION_KEY)", () => {
  it("keeps no token in clear in the file, and every command still works with the key", async () => {
    await loginToCryptohopper(cli, ["--scopes", "read,trade"])
    const token = (await cli.run(["token", "cryptohopper"])).stdout.trim()
    expect(token).toMatch(/^[0-9a-f]{40}$/)
    const text = await sessionFileText()
    expect(JSON.parse(text)).toMatchObject({ version: 1, sealed: true })
    expect(text).not.toContain(token)
    expect(text).not.toMatch(/[0-9a-f]{40}/) // neither the access nor the refresh token (both 40 hex characters)
    expect(text).not.toContain("trade")

    const status = JSON.parse((await cli.run(["status", "--json"])).stdout) as {
      sessions: Array<{ scopes: string[] }>
    }
    expect(status.sessions[0]!.scopes).toEqual(["read", "trade"])
    expect((await cli.run(["fetch", "cryptohopper", "/hopper"])).code).toBe(0)
  })

  it("refuses an encrypted session without the key, naming the variable (exit code 5)", async () => {
    await loginToCryptohopper(cli)
    const outcome = await cli.run(["token", "cryptohopper"], { GRANTFLOW_ENCRYPTION_KEY: "" })
    expect(outcome.code).toBe(5)
    expect(outcome.stdout).toBe("")
    expect(outcome.stderr).toContain("is encrypted: set GRANTFLOW_ENCRYPTION_KEY")
    const wrong = await cli.run(["token", "cryptohopper"], {
      GRANTFLOW_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    })
    expect(wrong.code).toBe(5)
    expect(wrong.stdout).toBe("")
  })

  it("lists an encrypted session without the key: expiry and refresh token, but not its scopes", async () => {
    await loginToCryptohopper(cli, ["--scopes", "read,trade"])
    const outcome = await cli.run(["status", "--json"], { GRANTFLOW_ENCRYPTION_KEY: "" })
    expect(outcome.code).toBe(0)
    expect(JSON.parse(outcome.stdout).sessions).toEqual([
      {
        provider: "cryptohopper",
        client: "hopper-app",
        session: "default",
        scopes: [],
        expiresAt: expect.stringMatching(/^\d{4}-/),
        expired: false,
        refreshToken: true,
        encrypted: true,
      },
    ])
    const table = await cli.run(["status"], { GRANTFLOW_ENCRYPTION_KEY: "" })
    expect(table.stdout).toMatch(
      /cryptohopper\s+hopper-app\s+default\s+\(encrypted\)\s+expires in 365 days\s+refresh token/,
    )
  })

  it("opens sessions sealed with an older key listed after the new one (rotation)", async () => {
    await loginToCryptohopper(cli)
    const rotated = `next:${randomBytes(32).toString("base64")},default:${KEY}`
    const outcome = await cli.run(["token", "cryptohopper"], { GRANTFLOW_ENCRYPTION_KEY: rotated })
    expect(outcome.code).toBe(0)
  })

  it("rejects a key that is not 32 bytes as a configuration error", async () => {
    const outcome = await cli.run(["status"], { GRANTFLOW_ENCRYPTION_KEY: "too-short" })
    expect(outcome.code).toBe(2)
    expect(outcome.stderr).toContain("must be 32 bytes")
    expect(outcome.stderr).not.toContain("too-short")
  })
})
