import { spawnSync } from "node:child_process"
import { readdir, readFile, stat, writeFile } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { AUTHORIZATION_URL, consent, visit } from "./support/browser.js"
import { BIN, Cli } from "./support/cli.js"

let sb: Sandbox
let cli: Cli

beforeAll(async () => {
  sb = await startSandbox({ consent: "page" })
})
afterAll(() => sb.stop())
beforeEach(async () => {
  cli = await Cli.make({ GRANTFLOW_SANDBOX_URL: sb.url })
})
afterEach(() => cli.cleanup())

const startLogin = async (args: ReadonlyArray<string> = [], env: Record<string, string> = {}) => {
  const login = cli.start(["login", "cryptohopper", "--no-browser", ...args], env)
  const url = (await login.waitForStderr(AUTHORIZATION_URL))[1]!
  return { login, url }
}

describe("grantflow login (loopback redirect against the sandbox)", () => {
  it("logs in through the consent page and the loopback listener, and keeps the session in a 0600 file in a 0700 folder", async () => {
    const { login, url } = await startLogin(["--scopes", "read,trade"])
    const authorization = new URL(url)
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256")
    expect(authorization.searchParams.get("scope")).toBe("read,trade")
    const redirect = new URL(authorization.searchParams.get("redirect_uri")!)
    expect(redirect.hostname).toBe("127.0.0.1")
    expect(redirect.port).not.toBe("") // a free port, since the sandbox takes any (RFC 8252 §7.3)

    const browser = await consent(url, "approve")
    expect(browser.status).toBe(200)
    expect(browser.page).toContain("Logged in to cryptohopper")
    const outcome = await login.done
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(
      /^Logged in to cryptohopper \(scopes read,trade; expires in 365 days; refresh token held\)\n$/,
    )

    expect((await stat(cli.directory)).mode & 0o777).toBe(0o700)
    expect((await stat(join(cli.directory, "sessions"))).mode & 0o777).toBe(0o700)
    const files = await readdir(join(cli.directory, "sessions"))
    expect(files).toEqual(["cryptohopper%3Ahopper-app%3Adefault.json"])
    const file = join(cli.directory, "sessions", files[0]!)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(await readFile(file, "utf8")) as {
      version: number
      key: string
      tokens: string
    }
    expect(stored.version).toBe(1)
    expect(stored.key).toBe("cryptohopper:hopper-app:default")
    const tokens = JSON.parse(stored.tokens) as {
      accessToken: string
      refreshToken: string
      scopes: string[]
    }
    expect(tokens.scopes).toEqual(["read", "trade"])

    // The stored token is the one the sandbox issued: its API takes it.
    const api = await fetch(`${sb.cryptohopper.apiBase}/hopper`, {
      headers: { "access-token": tokens.accessToken },
    })
    expect(api.status).toBe(200)
  })

  it("opens the browser ($BROWSER) on the authorization URL when --no-browser is not given", async () => {
    const opened = join(cli.stateHome, "opened-url")
    // A script run by node, so nothing needs the exec bit (a temp folder may be mounted noexec).
    const browser = join(cli.stateHome, "browser.mjs")
    await writeFile(
      browser,
      `import { writeFileSync } from "node:fs"\nwriteFileSync(${JSON.stringify(opened)}, process.argv[2])\n`,
    )
    const login = cli.start(["login", "cryptohopper"], { BROWSER: `${process.execPath} ${browser}` })
    const printed = (await login.waitForStderr(AUTHORIZATION_URL))[1]!
    await expect.poll(() => readFile(opened, "utf8").catch(() => ""), { timeout: 10_000 }).toBe(printed)
    await consent(printed, "approve")
    expect((await login.done).code).toBe(0)
  })

  it("takes exactly one callback: a stray one with another state is turned away, and after the login nothing listens", async () => {
    const { login, url } = await startLogin()
    const redirect = new URL(new URL(url).searchParams.get("redirect_uri")!)
    const stray = await visit(new URL(`${redirect.href}?code=stolen&state=not-this-login`))
    expect(stray.status).toBe(400)
    const elsewhere = await visit(new URL("/favicon.ico", redirect))
    expect(elsewhere.status).toBe(404)

    const browser = await consent(url, "approve")
    expect(browser.status).toBe(200)
    expect((await login.done).code).toBe(0)
    await expect(fetch(browser.callback)).rejects.toThrow()
  })

  it("fails with exit code 4 and the provider's message when the person denies, and tells the browser so", async () => {
    const { login, url } = await startLogin()
    const browser = await consent(url, "deny")
    expect(browser.callback.searchParams.get("error")).toBe("1")
    expect(browser.status).toBe(400)
    expect(browser.page).toContain("User did not give permission to the app.")
    const outcome = await login.done
    expect(outcome.code).toBe(4)
    expect(outcome.stderr).toContain(
      "grantflow login: cryptohopper refused the login: User did not give permission to the app.",
    )
    expect(outcome.stdout).toBe("")
    expect(await readdir(join(cli.directory, "sessions")).catch(() => [])).toEqual([])
  })

  it("fails with exit code 1 naming invalid_client and the secret's variable when the client secret is wrong", async () => {
    const { login, url } = await startLogin([], { CRYPTOHOPPER_CLIENT_SECRET: "not-the-secret" })
    const browser = await consent(url, "approve")
    expect(browser.status).toBe(400)
    const outcome = await login.done
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toContain("cryptohopper rejected the client credentials (invalid_client")
    expect(outcome.stderr).toContain("CRYPTOHOPPER_CLIENT_SECRET")
    expect(outcome.stderr).not.toContain("not-the-secret")
  })

  it("keeps a --session apart from the default session", async () => {
    const { login, url } = await startLogin(["--session", "bot", "--scopes", "read"])
    await consent(url, "approve")
    expect((await login.done).code).toBe(0)
    expect(await readdir(join(cli.directory, "sessions"))).toEqual([
      "cryptohopper%3Ahopper-app%3Auser%3Abot.json",
    ])
    expect((await cli.run(["token", "cryptohopper", "--session", "bot"])).code).toBe(0)
    expect((await cli.run(["token", "cryptohopper"])).code).toBe(3)
    const status = JSON.parse((await cli.run(["status", "--json"])).stdout) as {
      sessions: Array<{ session: string }>
    }
    expect(status.sessions.map((s) => s.session)).toEqual(["user:bot"])
  })

  it("stops on Ctrl-C with exit code 130 and closes the listener", async () => {
    const { login, url } = await startLogin()
    const redirect = new URL(new URL(url).searchParams.get("redirect_uri")!)
    login.child.kill("SIGINT")
    const outcome = await login.done
    expect(outcome.code).toBe(130)
    expect(outcome.stderr).toContain("grantflow: interrupted")
    await expect(fetch(redirect)).rejects.toThrow()
  })

  it("gives up with exit code 4 when the browser does not come back within --timeout", async () => {
    const { login } = await startLogin(["--timeout", "1"])
    const outcome = await login.done
    expect(outcome.code).toBe(4)
    expect(outcome.stderr).toContain("the browser did not come back within 1 s; run grantflow login again")
  })

  it("animates its progress line only on a terminal", async () => {
    // Without a terminal (every other test): the message once, no animation frames.
    const plain = await cli.run(["login", "cryptohopper", "--no-browser", "--timeout", "1"])
    expect(plain.stderr.match(/Waiting for the browser/g)).toHaveLength(1)
    expect(plain.stderr).not.toMatch(/[⠋⠙⠹⠸]/)
    // `script` (util-linux, essential on Debian) gives the command a pseudo-terminal, as a shell would.
    const tty = spawnSync(
      "script",
      ["-qfec", `${process.execPath} ${BIN} login cryptohopper --no-browser --timeout 1`, "/dev/null"],
      {
        encoding: "utf8",
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: cli.stateHome,
          XDG_STATE_HOME: cli.stateHome,
          BROWSER: "false",
          ...cli.env,
        },
        timeout: 30_000,
      },
    )
    expect(tty.status).toBe(4)
    expect(tty.stdout).toMatch(/\r⠋ Waiting for the browser/)
  })

  it("prints the result as JSON with --json, without any token", async () => {
    const { login, url } = await startLogin(["--json"])
    await consent(url, "approve")
    const outcome = await login.done
    expect(outcome.code).toBe(0)
    expect(JSON.parse(outcome.stdout)).toEqual({
      ok: true,
      provider: "cryptohopper",
      client: "hopper-app",
      session: "default",
      scopes: ["read"],
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expired: false,
      refreshToken: true,
    })
  })

  it("gets and stores a client-credentials token for cryptofuse, and says so", async () => {
    const outcome = await cli.run(["login", "cryptofuse"])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(
      /^Got a client-credentials token from cryptofuse \(scopes read,write; expires in 10 h\)\n$/,
    )
  })

  it("listens on exactly the port a redirect URI names, and says so when that port is taken", async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      const outcome = await cli.run(["login", "cryptohopper", "--no-browser"], {
        CRYPTOHOPPER_REDIRECT_URI: `http://127.0.0.1:${port}/callback`,
      })
      expect(outcome.code).toBe(2)
      expect(outcome.stderr).toContain(`port ${port} of 127.0.0.1 is in use`)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it("refuses a redirect URI that is not loopback http, naming RFC 8252", async () => {
    const outcome = await cli.run(["login", "cryptohopper", "--redirect-uri", "https://app.example/callback"])
    expect(outcome.code).toBe(2)
    expect(outcome.stderr).toContain(
      "a terminal login needs a loopback redirect URI such as http://127.0.0.1/callback (RFC 8252 §7.3)",
    )
  })

  it("explains what is missing when a provider is not configured", async () => {
    const bare = await Cli.make({})
    try {
      const outcome = await bare.run(["login", "cryptohopper", "--no-browser"])
      expect(outcome.code).toBe(2)
      expect(outcome.stderr).toContain(
        "set CRYPTOHOPPER_CLIENT_ID or pass --client-id (or GRANTFLOW_SANDBOX_URL to use a sandbox)",
      )
      const unknown = await bare.run(["token", "nowhere"])
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('unknown provider "nowhere"')
    } finally {
      await bare.cleanup()
    }
  })
})
