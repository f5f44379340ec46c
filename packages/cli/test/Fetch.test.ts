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
})
afterEach(() => cli.cleanup())

describe("grantflow fetch", () => {
  it("calls Cryptohopper's API with the token in its access-token header and prints the JSON", async () => {
    await loginToCryptohopper(cli, ["--scopes", "read,trade"])
    const outcome = await cli.run(["fetch", "cryptohopper", "/hopper"])
    expect(outcome.code).toBe(0)
    const body = JSON.parse(outcome.stdout) as { data: Array<{ id: string }> }
    expect(body.data.map((h) => h.id)).toEqual(["1001", "1002"])
  })

  it("sends -X POST with a JSON --data body", async () => {
    await loginToCryptohopper(cli, ["--scopes", "read,trade"])
    const outcome = await cli.run([
      "fetch",
      "cryptohopper",
      "/hopper/1001/order",
      "-X",
      "POST",
      "--data",
      '{"pair":"BTC/USDT","amount":"0.01","side":"buy"}',
    ])
    expect(outcome.code).toBe(0)
    const body = JSON.parse(outcome.stdout) as { data: Record<string, unknown> }
    expect(body.data).toMatchObject({ pair: "BTC/USDT", hopper_id: "1001", status: "pending" })
  })

  it("renews a token the API refuses and repeats the call once", async () => {
    await loginToCryptohopper(cli)
    sb.expireAccessTokens()
    sb.stats.reset()
    const outcome = await cli.run(["fetch", "cryptohopper", "/user/get", "--json"])
    expect(outcome.code).toBe(0)
    expect(JSON.parse(outcome.stdout)).toMatchObject({
      status: 200,
      body: { data: { user: expect.any(Object) } },
    })
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(1)
    expect(sb.stats.requests("cryptohopper.api")).toBe(2)
  })

  it("prints an API error's body and exits with 6", async () => {
    await loginToCryptohopper(cli, ["--scopes", "user"])
    const outcome = await cli.run(["fetch", "cryptohopper", "/hopper"])
    expect(outcome.code).toBe(6)
    expect(JSON.parse(outcome.stdout)).toMatchObject({ status: 403, error: 1 })
    expect(outcome.stderr).toContain("cryptohopper answered HTTP 403")
  })

  it("calls Cryptofuse with a Bearer token from client credentials", async () => {
    const outcome = await cli.run(["fetch", "cryptofuse", "/currencies/"])
    expect(outcome.code).toBe(0)
    expect(JSON.parse(outcome.stdout)).toBeTypeOf("object")
  })

  it("refuses --data that is not JSON before calling anyone", async () => {
    sb.stats.reset()
    const outcome = await cli.run(["fetch", "cryptofuse", "/payments/", "--data", "{nope"])
    expect(outcome.code).toBe(2)
    expect(outcome.stderr).toContain("--data must be JSON")
    expect(sb.stats.requests()).toBe(0)
  })
})
