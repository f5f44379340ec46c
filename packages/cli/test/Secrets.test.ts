import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AUTHORIZATION_URL, consent } from "./support/browser.js"
import { Cli, transcript } from "./support/cli.js"
import { loginToCryptohopper } from "./support/login.js"

let sb: Sandbox
let cli: Cli

beforeAll(async () => {
  sb = await startSandbox({ consent: "page", rotateRefreshTokens: true })
  cli = await Cli.make({ GRANTFLOW_SANDBOX_URL: sb.url })
})
afterAll(async () => {
  await cli.cleanup()
  await sb.stop()
})

/** Every secret in the store right now. */
const storedSecrets = async (): Promise<string[]> => {
  const dir = join(cli.directory, "sessions")
  const secrets: string[] = []
  for (const name of await readdir(dir)) {
    const { tokens } = JSON.parse(await readFile(join(dir, name), "utf8")) as { tokens: string }
    const t = JSON.parse(tokens) as { accessToken: string; refreshToken?: string }
    secrets.push(t.accessToken, ...(t.refreshToken === undefined ? [] : [t.refreshToken]))
  }
  return secrets
}

describe("secrets in the CLI's output", () => {
  it("no access or refresh token appears in any output but token's", async () => {
    const secrets = new Set<string>()
    const remember = async () => {
      for (const s of await storedSecrets()) secrets.add(s)
    }

    await loginToCryptohopper(cli, ["--scopes", "read,trade", "--json"])
    await remember()
    expect((await cli.run(["login", "cryptofuse", "--json"])).code).toBe(0)
    await remember()
    const token = await cli.run(["token", "cryptohopper"])
    expect(secrets.has(token.stdout.trim())).toBe(true)
    await cli.run(["token", "cryptohopper", "--json"])
    await cli.run(["status"])
    await cli.run(["status", "--json"])
    await cli.run(["fetch", "cryptohopper", "/user/get"])
    await cli.run(["fetch", "cryptofuse", "/rates/", "--json"])

    // A renewal, so the rotated tokens are in play too.
    sb.expireAccessTokens()
    await cli.run(["fetch", "cryptohopper", "/hopper", "--json"])
    await remember()

    // Failures: a wrong secret at the token endpoint, a denied login, an unknown path.
    await cli.run(["token", "cryptofuse", "--scopes", "admin"], { CRYPTOFUSE_CLIENT_SECRET: "wrong" })
    const denied = cli.start(["login", "cryptohopper", "--no-browser", "--session", "other"])
    await consent((await denied.waitForStderr(AUTHORIZATION_URL))[1]!, "deny")
    await denied.done
    await cli.run(["fetch", "cryptohopper", "/nowhere"])

    // A damaged file names itself, not its content.
    const dir = join(cli.directory, "sessions")
    const [hopperFile] = (await readdir(dir)).filter((n) => n.startsWith("cryptohopper"))
    const content = await readFile(join(dir, hopperFile!), "utf8")
    await writeFile(join(dir, hopperFile!), content.slice(0, content.length - 20))
    expect((await cli.run(["status"])).code).toBe(5)
    expect((await cli.run(["fetch", "cryptohopper", "/hopper"])).code).toBe(5)
    await writeFile(join(dir, hopperFile!), content)

    await cli.run(["logout", "cryptohopper", "--json"])
    await cli.run(["logout", "cryptofuse"])

    expect(secrets.size).toBeGreaterThanOrEqual(4)
    const others = transcript.filter((t) => t.args[0] !== "token")
    expect(others.length).toBe(13)
    for (const { args, stdout, stderr } of others) {
      for (const secret of secrets) {
        expect(stdout.includes(secret), `stdout of grantflow ${args.join(" ")}`).toBe(false)
        expect(stderr.includes(secret), `stderr of grantflow ${args.join(" ")}`).toBe(false)
      }
    }
  }, 120_000)
})
