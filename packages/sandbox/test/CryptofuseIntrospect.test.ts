import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { FUSE, basic, fuseToken, postForm } from "./helpers.js"

describe("Cryptofuse introspection endpoint (django-oauth-toolkit's /o/introspect/)", () => {
  let sb: Sandbox
  const asFuse = { authorization: basic(FUSE.clientId, FUSE.clientSecret) }
  const introspect = (form: Record<string, string>, headers: Record<string, string> = asFuse) =>
    postForm(sb.cryptofuse.introspectionEndpoint, form, headers)

  beforeAll(async () => {
    sb = await startSandbox()
    sb.addClient({
      provider: "cryptofuse",
      clientId: "other-client",
      clientSecret: "other-secret",
      redirectUris: [],
      scopes: ["read"],
    })
  })
  afterAll(() => sb.stop())

  it("describes an active token with its scope, expiry in whole seconds and client, as DOT does", async () => {
    const before = Math.floor(Date.now() / 1000)
    const token = await fuseToken(sb, "read write")
    const { res, json } = await introspect({ token })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toContain("application/json")
    expect(Object.keys(json!).sort()).toEqual(["active", "client_id", "exp", "scope"])
    expect(json).toMatchObject({ active: true, scope: "read write", client_id: FUSE.clientId })
    expect(Number.isInteger(json!.exp)).toBe(true)
    expect(json!.exp as number).toBeGreaterThanOrEqual(before + 36000)
    expect(json!.exp as number).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 36000)
  })

  it("takes the client's credentials in the body as well as in a Basic header", async () => {
    const token = await fuseToken(sb)
    const { res, json } = await introspect(
      { token, client_id: FUSE.clientId, client_secret: FUSE.clientSecret },
      {},
    )
    expect(res.status).toBe(200)
    expect(json).toMatchObject({ active: true, client_id: FUSE.clientId })
  })

  it("lets any authenticated client introspect another client's token", async () => {
    const token = await fuseToken(sb)
    const { json } = await introspect({ token }, { authorization: basic("other-client", "other-secret") })
    expect(json).toMatchObject({ active: true, client_id: FUSE.clientId })
  })

  it("answers only { active: false } for unknown, revoked and expired tokens", async () => {
    expect((await introspect({ token: "no-such-token" })).json).toEqual({ active: false })
    const revoked = await fuseToken(sb)
    await postForm(sb.cryptofuse.revocationEndpoint, { token: revoked }, asFuse)
    expect((await introspect({ token: revoked })).json).toEqual({ active: false })
    const expired = await fuseToken(sb)
    sb.expireAccessTokens()
    const { res, json } = await introspect({ token: expired })
    expect(res.status).toBe(200)
    expect(json).toEqual({ active: false })
  })

  it("refuses a caller whose client credentials are wrong with Django's bare 403", async () => {
    const token = await fuseToken(sb)
    const { res, text } = await introspect({ token }, { authorization: basic(FUSE.clientId, "wrong") })
    expect(res.status).toBe(403)
    expect(text).toBe("")
    const anonymous = await introspect({ token }, {})
    expect(anonymous.res.status).toBe(403)
  })

  it("answers 400 invalid_request when the token parameter is missing", async () => {
    const { res, json } = await introspect({})
    expect(res.status).toBe(400)
    expect(json).toEqual({ error: "invalid_request", error_description: "Token parameter is missing." })
  })

  it("answers 405 to anything but POST", async () => {
    const res = await fetch(sb.cryptofuse.introspectionEndpoint)
    expect(res.status).toBe(405)
  })
})
