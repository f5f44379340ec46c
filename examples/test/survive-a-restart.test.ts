// Runs examples/survive-a-restart.ts as a user would, one process per step, against a sandbox with
// rotating refresh tokens: log in, restart and call the API from the file, restart after the
// token was revoked server-side and still call the API (one refresh, the file updated).
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runNode } from "./support/runNode.js"

const examples = fileURLToPath(new URL("..", import.meta.url))
let sb: Sandbox
let dir: string

beforeAll(async () => {
  sb = await startSandbox({ consent: "approve", rotateRefreshTokens: true })
  dir = mkdtempSync(join(tmpdir(), "grantflow-restart-"))
})
afterAll(async () => {
  await sb.stop()
  rmSync(dir, { recursive: true, force: true })
})

const run = (...args: Array<string>) =>
  runNode(["survive-a-restart.ts", ...args], {
    cwd: examples,
    env: { GRANTFLOW_SANDBOX_URL: sb.url, TOKEN_FILE: join(dir, "tokens.json") },
  })

describe("examples/survive-a-restart.ts", () => {
  it("logs in once, then serves every later process from the token file, renewing through it", async () => {
    const first = await run()
    expect(first.stderr).toBe("")
    const url = /log in at: (\S+)/.exec(first.stdout)?.[1]
    expect(url).toBeDefined()
    // The browser's part: the sandbox approves at once and redirects to the callback.
    const consent = await fetch(url!, { redirect: "manual" })
    const callback = consent.headers.get("location")!

    const login = await run(callback)
    expect(login).toMatchObject({ code: 0, stderr: "" })
    expect(login.stdout).toContain("tokens: login")
    const stored = JSON.parse(readFileSync(join(dir, "tokens.json"), "utf8"))
    const [key] = Object.keys(stored)
    expect(stored[key!]).toMatchObject({ v: 1, tokenType: "Bearer", refreshToken: expect.any(String) })

    // A restart: no login, no token request, the API answers.
    sb.stats.reset()
    const restarted = await run()
    expect(restarted).toMatchObject({ code: 0, stderr: "" })
    expect(restarted.stdout).toContain('"user"')
    expect(restarted.stdout).toMatch(/access token valid until \d{4}-/)
    expect(restarted.stdout).not.toContain("tokens:")
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(0)

    // The server stops accepting the stored access token: the next process renews it with the
    // stored refresh token (once) and writes the rotated set back to the file.
    sb.expireAccessTokens()
    sb.stats.reset()
    const renewed = await run()
    expect(renewed).toMatchObject({ code: 0, stderr: "" })
    expect(renewed.stdout).toContain('"user"')
    expect(renewed.stdout).toContain("tokens: refresh")
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    const after = JSON.parse(readFileSync(join(dir, "tokens.json"), "utf8"))[key!]
    expect(after.refreshToken).not.toBe(stored[key!].refreshToken)
    expect(after.accessToken).not.toBe(stored[key!].accessToken)
  })
})
