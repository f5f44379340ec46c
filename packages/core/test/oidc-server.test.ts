// Proves the oidc-provider harness itself with plain fetch, so a failure in oidc-flows.test.ts
// points at @grantflow/core and not at the test server.
import { createHash, randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  API_RESOURCE,
  basicAuthorization,
  followAuthorization,
  REDIRECT_URI,
  startOidcServer,
  type OidcServer,
} from "./support/oidcServer.js"

const form = (fields: Record<string, string>) => new URLSearchParams(fields)
const post = (url: string, body: URLSearchParams, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
    signal: AbortSignal.timeout(5000),
  })

describe("the oidc-provider test server", { timeout: 20_000 }, () => {
  let op: OidcServer

  beforeAll(async () => {
    op = await startOidcServer()
  })

  afterAll(async () => {
    expect(op.serverErrors).toEqual([])
    await op.stop()
  })

  it("serves a discovery document for its own issuer with PKCE and every client authentication method", async () => {
    const res = await fetch(op.endpoints.discovery, { signal: AbortSignal.timeout(5000) })
    expect(res.status).toBe(200)
    const metadata = (await res.json()) as Record<string, unknown>
    expect(metadata["issuer"]).toBe(op.issuer)
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(metadata["token_endpoint"]).toBe(op.endpoints.token)
    expect(metadata["authorization_endpoint"]).toBe(op.endpoints.authorization)
    expect(metadata["revocation_endpoint"]).toBe(op.endpoints.revocation)
    expect(metadata["introspection_endpoint"]).toBe(op.endpoints.introspection)
    expect(metadata["code_challenge_methods_supported"]).toContain("S256")
    expect(metadata["token_endpoint_auth_methods_supported"]).toEqual(
      expect.arrayContaining(["client_secret_basic", "client_secret_post", "none"]),
    )
    expect(metadata["grant_types_supported"]).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token", "client_credentials"]),
    )
    expect(metadata["scopes_supported"]).toEqual(
      expect.arrayContaining(["openid", "offline_access", "api:read", "api:write"]),
    )
  })

  it("issues a client-credentials token for the test API to a client using HTTP Basic with a secret full of reserved characters", async () => {
    const { clientId, clientSecret } = op.clients.basic
    const res = await post(
      op.endpoints.token,
      form({ grant_type: "client_credentials", scope: "api:read" }),
      {
        authorization: basicAuthorization(clientId, clientSecret),
      },
    )
    const body = (await res.json()) as Record<string, unknown>
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body["token_type"]).toBe("Bearer")
    expect(body["scope"]).toBe("api:read")
    expect(typeof body["access_token"]).toBe("string")

    const introspection = await op.introspect(String(body["access_token"]))
    expect(introspection).toMatchObject({
      active: true,
      client_id: clientId,
      scope: "api:read",
      aud: API_RESOURCE,
    })
  })

  it("accepts the post client's secret only when it is form-urlencoded in the body", async () => {
    const { clientId, clientSecret } = op.clients.post
    const ok = await post(
      op.endpoints.token,
      form({
        grant_type: "client_credentials",
        scope: "api:write",
        client_id: clientId,
        client_secret: clientSecret,
      }),
    )
    expect(ok.status).toBe(200)

    // The same secret sent without encoding: `+` turns into a space and `&` ends the field.
    const raw = await fetch(op.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
      signal: AbortSignal.timeout(5000),
    })
    expect(raw.status).toBe(401)
    expect(await raw.json()).toMatchObject({ error: "invalid_client" })
  })

  it("logs in, consents and redirects to the client with a code that PKCE exchanges for access and refresh tokens", async () => {
    const { clientId } = op.clients.public
    const verifier = randomBytes(32).toString("base64url")
    const challenge = createHash("sha256").update(verifier).digest("base64url")
    const state = randomBytes(16).toString("base64url")
    const authorize = new URL(op.endpoints.authorization)
    authorize.search = form({
      client_id: clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid offline_access api:read",
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    }).toString()

    const callback = new URL(await followAuthorization(authorize.href))
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI)
    expect(callback.searchParams.get("state")).toBe(state)
    expect(callback.searchParams.get("iss")).toBe(op.issuer)
    const code = callback.searchParams.get("code")
    expect(code).toEqual(expect.any(String))

    const res = await post(
      op.endpoints.token,
      form({
        grant_type: "authorization_code",
        code: code!,
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        code_verifier: verifier,
      }),
    )
    const body = (await res.json()) as Record<string, unknown>
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ token_type: "Bearer", scope: "api:read" })
    expect(typeof body["refresh_token"]).toBe("string")
    expect(typeof body["id_token"]).toBe("string")
  })

  it("refuses a public client's authorization request that has no PKCE challenge", async () => {
    const authorize = new URL(op.endpoints.authorization)
    authorize.search = form({
      client_id: op.clients.public.clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid",
      state: "s",
    }).toString()
    const callback = new URL(await followAuthorization(authorize.href))
    expect(callback.searchParams.get("error")).toBe("invalid_request")
    expect(callback.searchParams.get("code")).toBeNull()
  })

  it("sends the user back with access_denied when the automated user declines consent", async () => {
    op.setDecision("deny")
    try {
      const authorize = new URL(op.endpoints.authorization)
      authorize.search = form({
        client_id: op.clients.basic.clientId,
        response_type: "code",
        redirect_uri: REDIRECT_URI,
        scope: "openid api:read",
        state: "declined",
      }).toString()
      const callback = new URL(await followAuthorization(authorize.href))
      expect(callback.searchParams.get("error")).toBe("access_denied")
      expect(callback.searchParams.get("state")).toBe("declined")
      expect(callback.searchParams.get("code")).toBeNull()
    } finally {
      op.setDecision("approve")
    }
  })

  it("keeps each instance's tokens in its own store", async () => {
    const other = await startOidcServer()
    try {
      const { clientId, clientSecret } = op.clients.basic
      const res = await post(op.endpoints.token, form({ grant_type: "client_credentials" }), {
        authorization: basicAuthorization(clientId, clientSecret),
      })
      const token = String(((await res.json()) as Record<string, unknown>)["access_token"])
      expect(await op.introspect(token)).toMatchObject({ active: true })
      expect(await other.introspect(token)).toEqual({ active: false })
    } finally {
      await other.stop()
    }
  })
})
