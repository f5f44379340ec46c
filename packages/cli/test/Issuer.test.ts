import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { AUTHORIZATION_URL } from "./support/browser.js"
import { Cli } from "./support/cli.js"
import {
  approveDevice,
  Browser,
  NATIVE_CLIENT,
  type OidcServer,
  startOidcServer,
} from "./support/oidcServer.js"

let op: OidcServer
let cli: Cli

beforeAll(async () => {
  op = await startOidcServer()
})
afterAll(() => op.stop())
beforeEach(async () => {
  op.setDecision("approve")
  cli = await Cli.make({ IDP_ISSUER: op.issuer, IDP_CLIENT_ID: NATIVE_CLIENT })
})
afterEach(() => cli.cleanup())

/** The browser's way from the authorization URL through login and consent back to the CLI's listener. */
const browse = async (authorizationUrl: string) => {
  const url = new URL(authorizationUrl)
  const redirect = new URL(url.searchParams.get("redirect_uri")!)
  const landed = await new Browser().follow(url, {}, redirect)
  const res = await fetch(landed.url)
  return { callback: landed.url, status: res.status, page: await res.text() }
}

const DEVICE_PROMPT = /enter the code\n\n {2}(\S+)\n/

describe("a provider by --issuer (oidc-provider, discovery)", () => {
  it("logs in through the loopback redirect, then token, fetch, status and logout work on the session", async () => {
    const login = cli.start([
      "login",
      "idp",
      "--issuer",
      op.issuer,
      "--client-id",
      NATIVE_CLIENT,
      "--no-browser",
      "--scopes",
      "openid,offline_access",
    ])
    const url = (await login.waitForStderr(AUTHORIZATION_URL))[1]!
    expect(url.startsWith(`${op.issuer}/auth?`)).toBe(true)
    expect(new URL(url).searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    const browser = await browse(url)
    expect(browser.status).toBe(200)
    const outcome = await login.done
    expect(outcome.stderr).toContain("Waiting for the browser")
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(
      /^Logged in to idp \(scopes openid; expires in 60 min; refresh token held\)\n$/,
    )

    // From here on the issuer and client come from IDP_ISSUER / IDP_CLIENT_ID.
    const token = await cli.run(["token", "idp"])
    expect(token.code).toBe(0)
    const me = await cli.run(["fetch", "idp", "/me"])
    expect(me.code).toBe(0)
    expect(JSON.parse(me.stdout)).toEqual({ sub: "user-1" })

    const status = await cli.run(["status", "idp", "--json"])
    expect(JSON.parse(status.stdout).sessions).toMatchObject([
      { provider: "idp", client: NATIVE_CLIENT, refreshToken: true },
    ])

    const logout = await cli.run(["logout", "idp"])
    expect(logout.stdout).toBe("Logged out of idp: tokens revoked and forgotten.\n")
    const userinfo = await fetch(`${op.issuer}/me`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    })
    expect(userinfo.status).toBe(401)
  })

  it("reports the server's refusal of a login with exit code 4", async () => {
    op.setDecision("deny")
    const login = cli.start(["login", "idp", "--no-browser"])
    const browser = await browse((await login.waitForStderr(AUTHORIZATION_URL))[1]!)
    expect(browser.callback.searchParams.get("error")).toBe("access_denied")
    expect(browser.page).toContain("The person said no")
    const outcome = await login.done
    expect(outcome.code).toBe(4)
    expect(outcome.stderr).toContain("idp refused the login: The person said no")
  })

  it("logs in with --device: shows the code, polls until the person approves, stores the session", async () => {
    const login = cli.start(["login", "idp", "--device", "--no-browser", "--scopes", "openid,offline_access"])
    const prompt = await login.waitForStderr(DEVICE_PROMPT)
    const verification = /open (\S+) on any device/.exec(prompt.input)![1]!
    expect(verification).toBe(`${op.issuer}/device`)
    const page = await approveDevice(verification, prompt[1]!)
    expect(page).toContain("Sign-in Success")
    const outcome = await login.done
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(
      /^Logged in to idp \(scopes openid,offline_access;.*refresh token held\)\n$/,
    )
    const me = await cli.run(["fetch", "idp", "/me"])
    expect(JSON.parse(me.stdout)).toEqual({ sub: "user-1" })
  })

  it("ends a device login the person denies with exit code 4", async () => {
    op.setDecision("deny")
    const login = cli.start(["login", "idp", "--device", "--no-browser"])
    const prompt = await login.waitForStderr(DEVICE_PROMPT)
    await approveDevice(`${op.issuer}/device`, prompt[1]!)
    const outcome = await login.done
    expect(outcome.code).toBe(4)
    expect(outcome.stderr).toContain("idp refused the login")
  })

  it("says clearly that a provider without a device endpoint cannot do --device", async () => {
    const hopper = await Cli.make({ GRANTFLOW_SANDBOX_URL: "http://127.0.0.1:9" })
    try {
      const outcome = await hopper.run(["login", "cryptohopper", "--device"])
      expect(outcome.code).toBe(2)
      expect(outcome.stderr).toContain(
        "cryptohopper does not offer the device authorization grant (RFC 8628)",
      )
    } finally {
      await hopper.cleanup()
    }
  })
})
