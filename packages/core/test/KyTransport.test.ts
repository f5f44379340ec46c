// The ky transport keeps the default transport's rules: same flows, same typed errors, same retries.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { createOAuthClient } from "../src/index.js"
import { KyTransport } from "../src/ky.js"
import { fuseProvider, rejectionOf } from "./helpers/sandbox.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterEach(() => {
  sb.faults.clear()
  sb.stats.reset()
})
afterAll(() => sb.stop())

describe("KyTransport", { timeout: 20_000 }, () => {
  it("gets a Cryptofuse client-credentials token that the sandbox API accepts", async () => {
    const client = createOAuthClient(fuseProvider(sb), { transport: KyTransport.layer() })
    try {
      const tokens = await client.clientCredentials({ scopes: ["read"] })
      const res = await fetch(`${sb.cryptofuse.baseUrl}/rates/`, {
        headers: { authorization: `Bearer ${Redacted.value(tokens.accessToken)}` },
      })
      expect(res.status).toBe(200)
      expect(tokens.scopes).toEqual(["read"])
    } finally {
      await client.dispose()
    }
  })

  it("retries a client-credentials request after a 500, as the default transport does", async () => {
    const client = createOAuthClient(fuseProvider(sb), { transport: KyTransport.layer({ retries: 1 }) })
    try {
      sb.faults.next("cryptofuse.token", { kind: "status", status: 500 })
      await client.clientCredentials()
      expect(sb.stats.tokenRequests("cryptofuse")).toBe(2)
    } finally {
      await client.dispose()
    }
  })

  it("turns a slow token endpoint into a TransportError timeout", async () => {
    const client = createOAuthClient(fuseProvider(sb), {
      transport: KyTransport.layer({ timeoutMs: 200, retries: 0 }),
    })
    try {
      sb.faults.next("cryptofuse.token", { kind: "delay", ms: 2_000 })
      const error = await rejectionOf(client.clientCredentials())
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
    } finally {
      await client.dispose()
    }
  })

  it("turns an HTML page into InvalidResponse instead of a parse crash", async () => {
    const client = createOAuthClient(fuseProvider(sb), { transport: KyTransport.layer({ retries: 0 }) })
    try {
      sb.faults.next("cryptofuse.token", { kind: "html" })
      const error = await rejectionOf(client.clientCredentials())
      expect(error._tag).toBe("InvalidResponse")
    } finally {
      await client.dispose()
    }
  })
})
