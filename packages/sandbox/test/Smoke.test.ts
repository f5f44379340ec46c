import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { fuseToken, hopperTokens } from "./helpers.js"

describe("a started sandbox", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
  })
  afterAll(() => sb.stop())

  it("runs a Cryptohopper authorization code flow end to end", async () => {
    const tokens = await hopperTokens(sb)
    const res = await fetch(`${sb.cryptohopper.apiBase}/hopper`, { headers: { "access-token": tokens.access_token } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0)
  })

  it("runs a Cryptofuse client credentials flow end to end", async () => {
    const token = await fuseToken(sb)
    const res = await fetch(`${sb.cryptofuse.baseUrl}/payments/`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect((await res.json()) as object).toHaveProperty("results")
  })
})
