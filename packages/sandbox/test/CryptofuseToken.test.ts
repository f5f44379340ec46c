import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { FUSE, basic, postForm } from "./helpers.js"

describe("Cryptofuse token endpoint (django-oauth-toolkit)", () => {
  let sb: Sandbox
  const token = (
    form: Record<string, string>,
    headers: Record<string, string> = { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
  ) => postForm(sb.cryptofuse.tokenEndpoint, form, headers)

  beforeAll(async () => {
    sb = await startSandbox()
    sb.addClient({
      provider: "cryptofuse",
      clientId: "read-only",
      clientSecret: "ro-secret",
      redirectUris: [],
      scopes: ["read"],
    })
  })
  afterAll(() => sb.stop())

  describe("client authentication", () => {
    it("issues a token to form-urlencoded Basic credentials, in DOT's shape and without a refresh token", async () => {
      const { res, json } = await token({ grant_type: "client_credentials" })
      expect(res.status).toBe(200)
      expect(res.headers.get("cache-control")).toBe("no-store")
      expect(json!.access_token).toMatch(/^[A-Za-z0-9]{30}$/)
      expect(json).toMatchObject({ token_type: "Bearer", expires_in: 36000, scope: "read write" })
      expect(json).not.toHaveProperty("refresh_token")
    })

    it("refuses Basic credentials whose special characters were not form-urlencoded (RFC 6749 §2.3.1)", async () => {
      const raw = `Basic ${Buffer.from(`${FUSE.clientId}:${FUSE.clientSecret}`).toString("base64")}`
      const { res, json } = await token({ grant_type: "client_credentials" }, { authorization: raw })
      expect(res.status).toBe(401)
      expect(json).toEqual({ error: "invalid_client" })
    })

    it("decodes %20 and + in Basic credentials alike, as unquote_plus does", async () => {
      sb.addClient({
        provider: "cryptofuse",
        clientId: "spaced client",
        clientSecret: "a b",
        redirectUris: [],
        scopes: ["read"],
      })
      for (const encoded of ["spaced+client:a+b", "spaced%20client:a%20b"]) {
        const { res } = await token(
          { grant_type: "client_credentials", scope: "read" },
          { authorization: `Basic ${Buffer.from(encoded).toString("base64")}` },
        )
        expect(res.status).toBe(200)
      }
    })

    it("issues a token to client_id and client_secret in the body", async () => {
      const { res, json } = await token(
        { grant_type: "client_credentials", client_id: FUSE.clientId, client_secret: FUSE.clientSecret },
        {},
      )
      expect(res.status).toBe(200)
      expect(json!.scope).toBe("read write")
    })

    it("refuses credentials in both the header and the body", async () => {
      const { res, json } = await token({
        grant_type: "client_credentials",
        client_id: FUSE.clientId,
        client_secret: FUSE.clientSecret,
      })
      expect(res.status).toBe(400)
      expect(json!.error).toBe("invalid_request")
    })

    it("answers a wrong secret with 401 invalid_client, WWW-Authenticate and no error_description", async () => {
      const { res, json } = await token(
        { grant_type: "client_credentials" },
        { authorization: basic(FUSE.clientId, "wrong") },
      )
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_client"')
      expect(json).toEqual({ error: "invalid_client" })
    })

    it("answers missing credentials with 401 invalid_client", async () => {
      const { res, json } = await token({ grant_type: "client_credentials" }, {})
      expect(res.status).toBe(401)
      expect(json!.error).toBe("invalid_client")
    })

    it("answers malformed Basic credentials with 401 invalid_client", async () => {
      for (const authorization of [
        "Basic !!!not-base64!!!",
        `Basic ${Buffer.from("no-colon").toString("base64")}`,
        "Basic",
      ]) {
        const { res, json } = await token({ grant_type: "client_credentials" }, { authorization })
        expect(res.status).toBe(401)
        expect(json!.error).toBe("invalid_client")
      }
    })

    it("does not accept a Cryptohopper client", async () => {
      const { res } = await token(
        { grant_type: "client_credentials" },
        { authorization: basic("hopper-app", "hopper-secret") },
      )
      expect(res.status).toBe(401)
    })
  })

  describe("request format", () => {
    it("does not parse a JSON body, so it arrives as unsupported_grant_type", async () => {
      const res = await fetch(sb.cryptofuse.tokenEndpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: basic(FUSE.clientId, FUSE.clientSecret),
        },
        body: JSON.stringify({ grant_type: "client_credentials" }),
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: "unsupported_grant_type" })
    })

    it("reads a chunked body without Content-Length as empty, as a WSGI server does", async () => {
      const form = new TextEncoder().encode("grant_type=client_credentials")
      const res = await fetch(sb.cryptofuse.tokenEndpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: basic(FUSE.clientId, FUSE.clientSecret),
        },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(form)
            controller.close()
          },
        }),
        duplex: "half",
      } as RequestInit)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: "unsupported_grant_type" })
    })

    it("reads the same stream body when it comes with Content-Length", async () => {
      const form = new TextEncoder().encode("grant_type=client_credentials")
      const res = await fetch(sb.cryptofuse.tokenEndpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": String(form.byteLength),
          authorization: basic(FUSE.clientId, FUSE.clientSecret),
        },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(form)
            controller.close()
          },
        }),
        duplex: "half",
      } as RequestInit)
      expect(res.status).toBe(200)
      expect(await res.json()).toHaveProperty("access_token")
    })

    it("refuses query parameters on the POST", async () => {
      const res = await fetch(`${sb.cryptofuse.tokenEndpoint}?grant_type=client_credentials`, {
        method: "POST",
        headers: { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
    })

    it("answers a GET with 405", async () => {
      const res = await fetch(sb.cryptofuse.tokenEndpoint)
      expect(res.status).toBe(405)
      expect(res.headers.get("allow")).toBe("POST")
    })

    it("redirects the path without its trailing slash, as Django's APPEND_SLASH does", async () => {
      const res = await fetch(sb.cryptofuse.tokenEndpoint.slice(0, -1), {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      })
      expect(res.status).toBe(301)
      expect(res.headers.get("location")).toBe("/cryptofuse/o/token/")
    })

    it("refuses a parameter sent twice", async () => {
      const res = await fetch(sb.cryptofuse.tokenEndpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: basic(FUSE.clientId, FUSE.clientSecret),
        },
        body: "grant_type=client_credentials&scope=read&scope=write",
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
    })
  })

  describe("grant types", () => {
    it("answers authorization_code with unauthorized_client", async () => {
      const { res, json } = await token({
        grant_type: "authorization_code",
        code: "x",
        redirect_uri: "http://127.0.0.1/cb",
      })
      expect(res.status).toBe(400)
      expect(json).toEqual({ error: "unauthorized_client" })
    })

    it("answers an unknown grant type with unsupported_grant_type", async () => {
      const { res, json } = await token({ grant_type: "urn:example:magic" })
      expect(res.status).toBe(400)
      expect(json).toEqual({ error: "unsupported_grant_type" })
    })

    it("answers a missing grant type with unsupported_grant_type", async () => {
      const { json } = await token({})
      expect(json!.error).toBe("unsupported_grant_type")
    })
  })

  describe("scopes", () => {
    it("grants a space-separated subset of the client's scopes", async () => {
      const { json } = await token({ grant_type: "client_credentials", scope: "read write admin" })
      expect(json!.scope).toBe("read write admin")
      expect((await token({ grant_type: "client_credentials", scope: "read" })).json!.scope).toBe("read")
    })

    it("reads a comma-separated list as one unknown scope", async () => {
      const { res, json } = await token({ grant_type: "client_credentials", scope: "read,write" })
      expect(res.status).toBe(400)
      expect(json).toEqual({ error: "invalid_scope" })
    })

    it("refuses a scope the client may not have", async () => {
      const { json } = await token(
        { grant_type: "client_credentials", scope: "write" },
        { authorization: basic("read-only", "ro-secret") },
      )
      expect(json!.error).toBe("invalid_scope")
    })

    it("grants a client's own default scopes when none are requested", async () => {
      const { json } = await token(
        { grant_type: "client_credentials" },
        { authorization: basic("read-only", "ro-secret") },
      )
      expect(json!.scope).toBe("read")
    })
  })

  it("uses accessTokenTtlSeconds.cryptofuse for expires_in", async () => {
    const other = await startSandbox({ accessTokenTtlSeconds: { cryptofuse: 5 } })
    try {
      const { json } = await postForm(
        other.cryptofuse.tokenEndpoint,
        { grant_type: "client_credentials" },
        { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
      )
      expect(json!.expires_in).toBe(5)
    } finally {
      await other.stop()
    }
  })
})

describe("Cryptofuse revocation endpoint", () => {
  let sb: Sandbox
  const auth = { authorization: basic(FUSE.clientId, FUSE.clientSecret) }
  const newToken = async () =>
    (await postForm(sb.cryptofuse.tokenEndpoint, { grant_type: "client_credentials" }, auth)).json!
      .access_token as string
  const apiStatus = async (accessToken: string) =>
    (await fetch(`${sb.cryptofuse.baseUrl}/rates/`, { headers: { authorization: `Bearer ${accessToken}` } }))
      .status

  beforeAll(async () => {
    sb = await startSandbox()
    sb.addClient({
      provider: "cryptofuse",
      clientId: "other",
      clientSecret: "other-secret",
      redirectUris: [],
      scopes: ["read"],
    })
  })
  afterAll(() => sb.stop())

  it("revokes a token so the API refuses it", async () => {
    const accessToken = await newToken()
    expect(await apiStatus(accessToken)).toBe(200)
    const { res, text } = await postForm(sb.cryptofuse.revocationEndpoint, { token: accessToken }, auth)
    expect(res.status).toBe(200)
    expect(text).toBe("")
    expect(await apiStatus(accessToken)).toBe(401)
  })

  it("answers 200 for an unknown token", async () => {
    expect((await postForm(sb.cryptofuse.revocationEndpoint, { token: "unknown" }, auth)).res.status).toBe(
      200,
    )
  })

  it("keeps a token that belongs to another client", async () => {
    const accessToken = await newToken()
    const { res } = await postForm(
      sb.cryptofuse.revocationEndpoint,
      { token: accessToken },
      { authorization: basic("other", "other-secret") },
    )
    expect(res.status).toBe(200)
    expect(await apiStatus(accessToken)).toBe(200)
  })

  it("answers a bad client with 401 invalid_client", async () => {
    const { res, json } = await postForm(
      sb.cryptofuse.revocationEndpoint,
      { token: "x" },
      { authorization: basic(FUSE.clientId, "nope") },
    )
    expect(res.status).toBe(401)
    expect(json!.error).toBe("invalid_client")
  })

  it("answers a missing token with invalid_request", async () => {
    const { res, json } = await postForm(sb.cryptofuse.revocationEndpoint, {}, auth)
    expect(res.status).toBe(400)
    expect(json!.error).toBe("invalid_request")
  })
})
