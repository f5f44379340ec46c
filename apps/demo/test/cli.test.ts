/**
 * The command behind `pnpm demo` (the built `dist/main.js`), run as a separate process: it starts
 * on PORT with its embedded sandbox, talks to a real provider when that provider's variables are
 * set, and refuses a bad configuration before starting, naming the variable, with exit code 1.
 */
import { createServer, type AddressInfo } from "node:net"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runMain, startMain, waitForOutput, type Running } from "./support/process.js"

const SECRET = "a-session-secret-that-is-long-enough-1234"
const URL_LINE = /running at (http:\/\/\S+)/

const stop = async (running: Running) => {
  running.child.kill("SIGTERM")
  return running.exited
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m)

describe("dist/main.js", () => {
  it("starts on PORT with the embedded sandbox, prints the URL and what to do, and stops on SIGTERM", async () => {
    const running = startMain({ PORT: "0" })
    try {
      const [, url] = await waitForOutput(running, URL_LINE)
      expect(running.stdout()).toContain('click "Connect Cryptohopper"')
      expect(running.stdout()).toMatch(
        /Cryptohopper \(authorization code\):\s+embedded sandbox \(consent page at http:\/\/127\.0\.0\.1:\d+\)/,
      )
      const home = await fetch(url!.replace("localhost", "127.0.0.1"))
      expect(home.status).toBe(200)
      expect(await home.text()).toContain("<title>grantflow demo</title>")
    } finally {
      const exited = await stop(running)
      expect(exited.code).toBe(0)
    }
  })

  it("stops with exit code 1 and names the missing variables when a provider's set is partial", async () => {
    const result = await runMain({ PORT: "0", CRYPTOFUSE_CLIENT_ID: "my-fuse-app" })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("grantflow demo: cannot start, the configuration is invalid:")
    expect(result.stderr).toContain("CRYPTOFUSE_CLIENT_SECRET: is missing")
    expect(result.stderr).toContain("CRYPTOFUSE_BASE_URL: is missing")
    expect(result.stderr).toContain("SESSION_SECRET: is required with a real provider")
    expect(result.stderr).not.toMatch(/CRYPTOHOPPER_\w+:/)
    expect(result.stdout).not.toContain("running at")
    noStackTrace(result.stderr)
  })

  it("refuses a malformed URL and a short session secret without echoing their values", async () => {
    const result = await runMain({
      PORT: "0",
      CRYPTOHOPPER_CLIENT_ID: "hopper-id",
      CRYPTOHOPPER_CLIENT_SECRET: "hopper-secret-value-xyz",
      CRYPTOHOPPER_REDIRECT_URI: "not a url at all",
      SESSION_SECRET: "short-secret-value",
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("CRYPTOHOPPER_REDIRECT_URI: is not a valid absolute URL")
    expect(result.stderr).toContain("SESSION_SECRET: is too short")
    for (const value of ["hopper-secret-value-xyz", "not a url at all", "short-secret-value"]) {
      expect(result.stderr).not.toContain(value)
    }
    noStackTrace(result.stderr)
  })

  it("says in one line that the port is taken when it is", async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    try {
      const port = (taken.address() as AddressInfo).port
      const result = await runMain({ PORT: String(port) })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(
        `grantflow demo: port ${port} is already in use; start it with PORT=<another port>.`,
      )
      noStackTrace(result.stderr)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it("refuses a PORT that is not a port, without the hint about provider variables", async () => {
    const result = await runMain({ PORT: "http" })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("PORT: must be a whole number from 0 to 65535")
    expect(result.stderr).not.toContain("CRYPTOHOPPER_*")
    noStackTrace(result.stderr)
  })

  it("says in one line, without a stack trace, that a HOST which is no address of this machine cannot be listened on", async () => {
    const result = await runMain({ PORT: "0", HOST: "not-a-host.invalid" })
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe(
      "grantflow demo: cannot listen on HOST=not-a-host.invalid: it is not an address of this machine; try HOST=127.0.0.1 (or 0.0.0.0 for every interface).",
    )
    expect(result.stdout).not.toContain("running at")
  })

  describe("with CRYPTOFUSE_* pointing at a provider of its own", () => {
    let provider: Sandbox

    beforeAll(async () => {
      // A second sandbox stands in for the real Cryptofuse: reachable offline, and its counters
      // show which server the demo really asked.
      provider = await startSandbox({ consent: "approve" })
    })

    afterAll(async () => {
      await provider?.stop()
    })

    it("gets its client-credentials token from that provider, not from the embedded sandbox", async () => {
      const running = startMain({
        PORT: "0",
        SESSION_SECRET: SECRET,
        CRYPTOFUSE_CLIENT_ID: "fuse-client",
        CRYPTOFUSE_CLIENT_SECRET: "fuse-secret-with/special+chars",
        CRYPTOFUSE_BASE_URL: provider.cryptofuse.baseUrl,
      })
      try {
        const [, url] = await waitForOutput(running, URL_LINE)
        expect(running.stdout()).toContain(
          `Cryptofuse (client credentials):    real provider at ${provider.cryptofuse.baseUrl}`,
        )
        const base = url!.replace("localhost", "127.0.0.1")
        const status = (await (await fetch(`${base}/api/status`)).json()) as { modes: Record<string, string> }
        expect(status.modes).toEqual({ cryptohopper: "sandbox", cryptofuse: "real" })

        const rates = await fetch(`${base}/api/cryptofuse/rates`)
        expect(rates.status).toBe(200)
        expect(((await rates.json()) as { data: { base: string } }).data.base).toBe("USD")
        expect(provider.stats.tokenRequests("cryptofuse")).toBe(1)
      } finally {
        const exited = await stop(running)
        expect(exited.code).toBe(0)
      }
    })
  })
})
