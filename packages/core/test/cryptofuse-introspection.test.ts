// client.introspect against the sandbox's Cryptofuse, which answers /o/introspect/ as
// django-oauth-toolkit does; the Cryptofuse preset points at that endpoint by itself.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { inspect } from "node:util"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { InvalidResponse } from "../src/index.js"
import { FUSE, fuseProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool } from "./helpers/tokenLifecycle.js"

let sb: Sandbox
const pool = clientPool()
const client = pool.make

beforeAll(async () => {
  sb = await startSandbox()
})
afterEach(async () => {
  await pool.disposeAll()
})
afterAll(() => sb.stop())

describe("Cryptofuse token introspection against the sandbox", () => {
  it("uses the preset's /o/introspect/ endpoint", () => {
    expect(fuseProvider(sb).endpoints.introspection).toBe(sb.cryptofuse.introspectionEndpoint)
  })

  for (const auth of ["basic", "post"] as const) {
    it(`reads an active token's scopes, client and expiry, authenticating with ${auth}`, async () => {
      const c = client(fuseProvider(sb, { auth }))
      const tokens = await c.clientCredentials({ scopes: ["read", "write"] })
      const info = await c.introspect(tokens.accessToken, { hint: "access_token" })
      expect(info).toMatchObject({
        active: true,
        scopes: ["read", "write"],
        clientId: FUSE.clientId,
        subject: undefined,
        username: undefined,
      })
      // DOT's exp is whole seconds; ours came from expires_in.
      expect(Math.abs(info.expiresAt!.getTime() - tokens.expiresAt!.getTime())).toBeLessThan(2_000)
    })
  }

  it("reads active: false for a revoked token, and for an expired one", async () => {
    const c = client(fuseProvider(sb))
    const revoked = await c.clientCredentials({ scopes: ["read"] })
    await c.revoke(revoked.accessToken)
    expect(await c.introspect(revoked.accessToken)).toMatchObject({
      active: false,
      scopes: [],
      clientId: undefined,
    })
    const expired = await c.clientCredentials({ scopes: ["read"] })
    sb.expireAccessTokens()
    expect((await c.introspect(expired.accessToken)).active).toBe(false)
  })

  it("keeps the token and the client secret out of the answer it returns", async () => {
    const c = client(fuseProvider(sb))
    const tokens = await c.clientCredentials({ scopes: ["read"] })
    const info = await c.introspect(tokens.accessToken)
    const shown = JSON.stringify(info) + inspect(info, { depth: 10 })
    expect(shown).not.toContain(Redacted.value(tokens.accessToken))
    expect(shown).not.toContain(FUSE.clientSecret)
  })

  it("fails with InvalidResponse (HTTP 403, Django's bare Forbidden) when the client secret is wrong", async () => {
    const tokens = await client(fuseProvider(sb)).clientCredentials({ scopes: ["read"] })
    const wrong = client(fuseProvider(sb, { clientSecret: "not-the-secret" }))
    const error = await rejectionOf(wrong.introspect(tokens.accessToken))
    expect(error).toBeInstanceOf(InvalidResponse)
    expect(error).toMatchObject({ status: 403 })
    expect(JSON.stringify(error) + String(error)).not.toContain(Redacted.value(tokens.accessToken))
  })
})
