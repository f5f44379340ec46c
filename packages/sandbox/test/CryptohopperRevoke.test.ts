import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { HOPPER, basic, hopperTokenJson, hopperTokens, postForm } from "./helpers.js"

const apiStatus = async (sb: Sandbox, accessToken: string) =>
  (await fetch(`${sb.cryptohopper.apiBase}/hopper`, { headers: { "access-token": accessToken } })).status

describe("Cryptohopper revocation endpoint (sandbox extension)", () => {
  let sb: Sandbox
  const revoke = (
    form: Record<string, string>,
    headers: Record<string, string> = { authorization: basic(HOPPER.clientId, HOPPER.clientSecret) },
  ) => postForm(sb.cryptohopper.revocationEndpoint, form, headers)

  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
    sb.addClient({
      provider: "cryptohopper",
      clientId: "other-app",
      clientSecret: "other-secret",
      redirectUris: [HOPPER.redirectUri],
      scopes: ["read"],
    })
  })
  afterAll(() => sb.stop())

  it("revokes an access token so the API refuses it", async () => {
    const tokens = await hopperTokens(sb)
    expect(await apiStatus(sb, tokens.access_token)).toBe(200)
    const { res, text } = await revoke({ token: tokens.access_token, token_type_hint: "access_token" })
    expect(res.status).toBe(200)
    expect(text).toBe("")
    expect(await apiStatus(sb, tokens.access_token)).toBe(401)
  })

  it("revokes a refresh token and the access tokens of its grant", async () => {
    const tokens = await hopperTokens(sb)
    expect((await revoke({ token: tokens.refresh_token })).res.status).toBe(200)
    const refreshed = await hopperTokenJson(sb, {
      client_id: HOPPER.clientId,
      client_secret: HOPPER.clientSecret,
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    })
    expect(refreshed.json.error).toBe("invalid_grant")
    expect(await apiStatus(sb, tokens.access_token)).toBe(401)
  })

  it("accepts client credentials in the body", async () => {
    const tokens = await hopperTokens(sb)
    const { res } = await revoke(
      { token: tokens.access_token, client_id: HOPPER.clientId, client_secret: HOPPER.clientSecret },
      {},
    )
    expect(res.status).toBe(200)
    expect(await apiStatus(sb, tokens.access_token)).toBe(401)
  })

  it("answers 200 for a token it does not know", async () => {
    expect((await revoke({ token: "no-such-token" })).res.status).toBe(200)
  })

  it("answers 200 but keeps a token that belongs to another client", async () => {
    const tokens = await hopperTokens(sb)
    const { res } = await revoke(
      { token: tokens.access_token },
      { authorization: basic("other-app", "other-secret") },
    )
    expect(res.status).toBe(200)
    expect(await apiStatus(sb, tokens.access_token)).toBe(200)
  })

  it("requires client authentication", async () => {
    const tokens = await hopperTokens(sb)
    const { res, json } = await revoke({ token: tokens.access_token }, {})
    expect(res.status).toBe(400)
    expect(json!.error).toBe("invalid_client")
    expect(await apiStatus(sb, tokens.access_token)).toBe(200)
  })

  it("refuses a wrong client secret with 400 invalid_client", async () => {
    const { res, json } = await revoke({ token: "x" }, { authorization: basic(HOPPER.clientId, "wrong") })
    expect(res.status).toBe(400)
    expect(json!.error).toBe("invalid_client")
  })

  it("answers a missing token with invalid_request", async () => {
    const { res, json } = await revoke({})
    expect(res.status).toBe(400)
    expect(json!.error).toBe("invalid_request")
  })

  it("answers an unknown token_type_hint with unsupported_token_type", async () => {
    const { json } = await revoke({ token: "x", token_type_hint: "id_token" })
    expect(json!.error).toBe("unsupported_token_type")
  })

  it("answers a GET with 405", async () => {
    expect((await fetch(sb.cryptohopper.revocationEndpoint)).status).toBe(405)
  })
})
