import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { HOPPER, basic, getCode, hopperTokenJson, hopperTokens, pkcePair, postForm } from "./helpers.js"

const exchange = (code: string, extra: Record<string, unknown> = {}) => ({
  client_id: HOPPER.clientId,
  client_secret: HOPPER.clientSecret,
  grant_type: "authorization_code",
  redirect_uri: HOPPER.redirectUri,
  code,
  ...extra,
})

const refreshBody = (refreshToken: string, extra: Record<string, unknown> = {}) => ({
  client_id: HOPPER.clientId,
  client_secret: HOPPER.clientSecret,
  grant_type: "refresh_token",
  refresh_token: refreshToken,
  ...extra,
})

const apiStatus = async (sb: Sandbox, accessToken: string) =>
  (await fetch(`${sb.cryptohopper.apiBase}/hopper`, { headers: { "access-token": accessToken } })).status

describe("Cryptohopper token endpoint", () => {
  let sb: Sandbox
  let clock = Date.now()
  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve", now: () => clock })
    sb.addClient({
      provider: "cryptohopper",
      clientId: "other-app",
      clientSecret: "other-secret",
      redirectUris: [HOPPER.redirectUri],
      scopes: ["read", "trade"],
    })
  })
  afterAll(() => sb.stop())

  describe("authorization_code", () => {
    it("exchanges a code sent as JSON, as Cryptohopper documents, for tokens in its shape", async () => {
      const { res, json } = await hopperTokenJson(sb, exchange(await getCode(sb)))
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toBe("application/json")
      expect(res.headers.get("cache-control")).toBe("no-store")
      expect(json.access_token).toMatch(/^[0-9a-f]{40}$/)
      expect(json.refresh_token).toMatch(/^[0-9a-f]{40}$/)
      expect(json.access_token).not.toBe(json.refresh_token)
      expect(json.expires_in).toBe(31_536_000)
      expect(json.token_type).toBe("Bearer")
      expect(json.scope).toBe("read,trade")
    })

    it("also exchanges a code sent as a form", async () => {
      const code = await getCode(sb)
      const { res, json } = await postForm(
        sb.cryptohopper.tokenEndpoint,
        exchange(code) as Record<string, string>,
      )
      expect(res.status).toBe(200)
      expect(typeof json!.access_token).toBe("string")
    })

    it("accepts client credentials in HTTP Basic instead of the body", async () => {
      const code = await getCode(sb)
      const { res } = await postForm(
        sb.cryptohopper.tokenEndpoint,
        { grant_type: "authorization_code", redirect_uri: HOPPER.redirectUri, code },
        { authorization: basic(HOPPER.clientId, HOPPER.clientSecret) },
      )
      expect(res.status).toBe(200)
    })

    it("refuses Basic and body credentials that disagree", async () => {
      const code = await getCode(sb)
      const { res, json } = await hopperTokenJson(sb, exchange(code), {
        authorization: basic("other-app", "other-secret"),
      })
      expect(res.status).toBe(400)
      expect(json.error).toBe("invalid_request")
    })

    it("gives a scope of null when no scope was requested", async () => {
      const code = await getCode(sb, { scope: "" })
      const { json } = await hopperTokenJson(sb, exchange(code))
      expect(json.scope).toBeNull()
    })

    it("refuses a code used a second time and revokes the tokens the first use gave", async () => {
      const code = await getCode(sb)
      const first = await hopperTokenJson(sb, exchange(code))
      expect(first.res.status).toBe(200)
      const access = first.json.access_token as string
      const refresh = first.json.refresh_token as string
      expect(await apiStatus(sb, access)).toBe(200)

      const second = await hopperTokenJson(sb, exchange(code))
      expect(second.res.status).toBe(400)
      expect(second.json.error).toBe("invalid_grant")
      expect(await apiStatus(sb, access)).toBe(401)
      expect((await hopperTokenJson(sb, refreshBody(refresh))).json.error).toBe("invalid_grant")
    })

    it("revokes tokens obtained by refreshing when the code is replayed", async () => {
      const code = await getCode(sb)
      const first = await hopperTokenJson(sb, exchange(code))
      const refreshed = await hopperTokenJson(sb, refreshBody(first.json.refresh_token as string))
      expect(await apiStatus(sb, refreshed.json.access_token as string)).toBe(200)
      await hopperTokenJson(sb, exchange(code))
      expect(await apiStatus(sb, refreshed.json.access_token as string)).toBe(401)
    })

    it("refuses a code issued to another client", async () => {
      const code = await getCode(sb)
      const { res, json } = await hopperTokenJson(
        sb,
        exchange(code, { client_id: "other-app", client_secret: "other-secret" }),
      )
      expect(res.status).toBe(400)
      expect(json.error).toBe("invalid_grant")
      // The rightful client can still use it.
      expect((await hopperTokenJson(sb, exchange(code))).res.status).toBe(200)
    })

    it("refuses an unknown code", async () => {
      const { json } = await hopperTokenJson(sb, exchange("0".repeat(40)))
      expect(json.error).toBe("invalid_grant")
    })

    it("refuses a redirect_uri that differs from the authorization request's", async () => {
      const code = await getCode(sb)
      const { json } = await hopperTokenJson(
        sb,
        exchange(code, { redirect_uri: "http://localhost:3000/auth/cryptohopper/callback" }),
      )
      expect(json.error).toBe("invalid_grant")
    })

    it("requires the redirect_uri when the authorization request had one", async () => {
      const code = await getCode(sb)
      const { redirect_uri: _, ...body } = exchange(code)
      const { json } = await hopperTokenJson(sb, body)
      expect(json.error).toBe("invalid_grant")
    })

    it("allows leaving out redirect_uri when the authorization request had none", async () => {
      const code = await getCode(sb, { redirect_uri: "" })
      const { redirect_uri: _, ...body } = exchange(code)
      const { res } = await hopperTokenJson(sb, body)
      expect(res.status).toBe(200)
    })

    it("uses up a code with a failed attempt, so it cannot be retried", async () => {
      const code = await getCode(sb)
      expect(
        (
          await hopperTokenJson(
            sb,
            exchange(code, { redirect_uri: "http://localhost:3000/auth/cryptohopper/callback" }),
          )
        ).json.error,
      ).toBe("invalid_grant")
      expect((await hopperTokenJson(sb, exchange(code))).json.error).toBe("invalid_grant")
    })

    it("refuses a code older than codeTtlSeconds", async () => {
      const code = await getCode(sb)
      clock += 61_000
      const { json } = await hopperTokenJson(sb, exchange(code))
      expect(json.error).toBe("invalid_grant")
      expect(json.error_description).toContain("expired")
    })

    describe("PKCE", () => {
      it("exchanges an S256-bound code with the right verifier", async () => {
        const { verifier, challenge } = pkcePair()
        const code = await getCode(sb, { code_challenge: challenge, code_challenge_method: "S256" })
        expect((await hopperTokenJson(sb, exchange(code, { code_verifier: verifier }))).res.status).toBe(200)
      })

      it("refuses an S256-bound code without a verifier", async () => {
        const { challenge } = pkcePair()
        const code = await getCode(sb, { code_challenge: challenge, code_challenge_method: "S256" })
        const { res, json } = await hopperTokenJson(sb, exchange(code))
        expect(res.status).toBe(400)
        expect(json.error).toBe("invalid_grant")
      })

      it("refuses an S256-bound code with the wrong verifier", async () => {
        const { challenge } = pkcePair()
        const code = await getCode(sb, { code_challenge: challenge, code_challenge_method: "S256" })
        const { json } = await hopperTokenJson(sb, exchange(code, { code_verifier: pkcePair().verifier }))
        expect(json.error).toBe("invalid_grant")
      })

      it("refuses the challenge itself sent as the verifier of an S256 code", async () => {
        const { challenge } = pkcePair()
        const code = await getCode(sb, { code_challenge: challenge, code_challenge_method: "S256" })
        const { json } = await hopperTokenJson(sb, exchange(code, { code_verifier: challenge }))
        expect(json.error).toBe("invalid_grant")
      })

      it("treats a challenge without a method as plain", async () => {
        const { verifier } = pkcePair()
        const code = await getCode(sb, { code_challenge: verifier })
        expect((await hopperTokenJson(sb, exchange(code, { code_verifier: verifier }))).res.status).toBe(200)
      })

      it("refuses a verifier for a code that had no challenge", async () => {
        const code = await getCode(sb)
        const { json } = await hopperTokenJson(sb, exchange(code, { code_verifier: pkcePair().verifier }))
        expect(json.error).toBe("invalid_grant")
      })
    })
  })

  describe("client authentication", () => {
    it("answers a wrong secret with 400 invalid_client, not 401", async () => {
      const code = await getCode(sb)
      const { res, json } = await hopperTokenJson(sb, exchange(code, { client_secret: "wrong" }))
      expect(res.status).toBe(400)
      expect(json.error).toBe("invalid_client")
      expect(res.headers.get("www-authenticate")).toBeNull()
    })

    it("answers an unknown client with 400 invalid_client", async () => {
      const { res, json } = await hopperTokenJson(sb, exchange("x", { client_id: "nobody" }))
      expect(res.status).toBe(400)
      expect(json.error).toBe("invalid_client")
    })

    it("answers a request without client credentials with 400 invalid_client", async () => {
      const { res, json } = await hopperTokenJson(sb, { grant_type: "authorization_code", code: "x" })
      expect(res.status).toBe(400)
      expect(json.error).toBe("invalid_client")
    })

    it("does not accept a Cryptofuse client", async () => {
      const { json } = await hopperTokenJson(
        sb,
        exchange("x", { client_id: "fuse-client", client_secret: "fuse-secret-with/special+chars" }),
      )
      expect(json.error).toBe("invalid_client")
    })

    it("never puts the client secret into an error", async () => {
      const { res, json } = await hopperTokenJson(sb, exchange("x", { client_secret: "super-secret-value" }))
      expect(json.error).toBe("invalid_client")
      expect(JSON.stringify(json)).not.toContain("super-secret-value")
      expect([...res.headers.values()].join(" ")).not.toContain("super-secret-value")
    })
  })

  describe("request validation", () => {
    it("answers a GET with 405", async () => {
      const res = await fetch(sb.cryptohopper.tokenEndpoint)
      expect(res.status).toBe(405)
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
    })

    it("answers an unknown grant type with unsupported_grant_type", async () => {
      const { res, json } = await hopperTokenJson(sb, {
        client_id: HOPPER.clientId,
        client_secret: HOPPER.clientSecret,
        grant_type: "client_credentials",
      })
      expect(res.status).toBe(400)
      expect(json.error).toBe("unsupported_grant_type")
    })

    it("answers a missing grant type with invalid_request", async () => {
      const { json } = await hopperTokenJson(sb, {
        client_id: HOPPER.clientId,
        client_secret: HOPPER.clientSecret,
      })
      expect(json.error).toBe("invalid_request")
    })

    it("answers a missing code with invalid_request", async () => {
      const { json } = await hopperTokenJson(sb, {
        client_id: HOPPER.clientId,
        client_secret: HOPPER.clientSecret,
        grant_type: "authorization_code",
      })
      expect(json.error).toBe("invalid_request")
    })

    it("answers invalid JSON with 400 invalid_request", async () => {
      const res = await fetch(sb.cryptohopper.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"grant_type":',
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
    })

    it("answers a JSON array or nested value with 400 invalid_request", async () => {
      for (const body of ["[1,2]", '{"code":{"nested":true}}', "null"]) {
        const res = await fetch(sb.cryptohopper.tokenEndpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        })
        expect(res.status).toBe(400)
        expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
      }
    })

    it("answers an unsupported content type with 400 invalid_request", async () => {
      const res = await fetch(sb.cryptohopper.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "grant_type=authorization_code",
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
    })

    it("refuses a form parameter sent twice", async () => {
      const res = await fetch(sb.cryptohopper.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=authorization_code&code=a&code=b&client_id=hopper-app&client_secret=hopper-secret",
      })
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request")
    })
  })

  describe("refresh_token", () => {
    it("returns a new access token and no refresh_token, as Cryptohopper does", async () => {
      const tokens = await hopperTokens(sb)
      const { res, json } = await hopperTokenJson(sb, refreshBody(tokens.refresh_token))
      expect(res.status).toBe(200)
      expect(json.access_token).toMatch(/^[0-9a-f]{40}$/)
      expect(json.access_token).not.toBe(tokens.access_token)
      expect(json).not.toHaveProperty("refresh_token")
      expect(json.scope).toBe("read,trade")
      expect(await apiStatus(sb, json.access_token as string)).toBe(200)
    })

    it("keeps the old refresh token valid after a refresh", async () => {
      const tokens = await hopperTokens(sb)
      expect((await hopperTokenJson(sb, refreshBody(tokens.refresh_token))).res.status).toBe(200)
      expect((await hopperTokenJson(sb, refreshBody(tokens.refresh_token))).res.status).toBe(200)
    })

    it("can narrow the scope with a comma-separated subset", async () => {
      const tokens = await hopperTokens(sb)
      const { json } = await hopperTokenJson(sb, refreshBody(tokens.refresh_token, { scope: "read" }))
      expect(json.scope).toBe("read")
    })

    it("refuses to widen the scope", async () => {
      const tokens = await hopperTokens(sb)
      const { json } = await hopperTokenJson(
        sb,
        refreshBody(tokens.refresh_token, { scope: "read,trade,manage" }),
      )
      expect(json.error).toBe("invalid_scope")
    })

    it("refuses an access token presented as a refresh token", async () => {
      const tokens = await hopperTokens(sb)
      expect((await hopperTokenJson(sb, refreshBody(tokens.access_token))).json.error).toBe("invalid_grant")
    })

    it("refuses a refresh token of another client", async () => {
      const tokens = await hopperTokens(sb)
      const { json } = await hopperTokenJson(
        sb,
        refreshBody(tokens.refresh_token, { client_id: "other-app", client_secret: "other-secret" }),
      )
      expect(json.error).toBe("invalid_grant")
    })

    it("answers a missing refresh_token with invalid_request", async () => {
      const { json } = await hopperTokenJson(sb, {
        client_id: HOPPER.clientId,
        client_secret: HOPPER.clientSecret,
        grant_type: "refresh_token",
      })
      expect(json.error).toBe("invalid_request")
    })
  })
})

describe("Cryptohopper token endpoint options", () => {
  it("rotates refresh tokens when rotateRefreshTokens is set, and refuses the used one", async () => {
    const sb = await startSandbox({ consent: "approve", rotateRefreshTokens: true })
    try {
      const tokens = await hopperTokens(sb)
      const first = await hopperTokenJson(sb, refreshBody(tokens.refresh_token))
      expect(first.res.status).toBe(200)
      expect(first.json.refresh_token).toMatch(/^[0-9a-f]{40}$/)
      expect(first.json.refresh_token).not.toBe(tokens.refresh_token)
      const reused = await hopperTokenJson(sb, refreshBody(tokens.refresh_token))
      expect(reused.res.status).toBe(400)
      expect(reused.json.error).toBe("invalid_grant")
      expect((await hopperTokenJson(sb, refreshBody(first.json.refresh_token as string))).res.status).toBe(
        200,
      )
    } finally {
      await sb.stop()
    }
  })

  it("sends expires_in as a string and token_type in lower case when asked to", async () => {
    const sb = await startSandbox({
      consent: "approve",
      expiresInAsString: true,
      lowercaseTokenType: true,
      accessTokenTtlSeconds: { cryptohopper: 120 },
    })
    try {
      const tokens = await hopperTokens(sb)
      expect(tokens.expires_in).toBe("120")
      expect(tokens.token_type).toBe("bearer")
    } finally {
      await sb.stop()
    }
  })

  it("expires access tokens after accessTokenTtlSeconds", async () => {
    let clock = 1_000_000
    const sb = await startSandbox({
      consent: "approve",
      accessTokenTtlSeconds: { cryptohopper: 30 },
      now: () => clock,
    })
    try {
      const tokens = await hopperTokens(sb)
      expect(tokens.expires_in).toBe(30)
      expect(await apiStatus(sb, tokens.access_token)).toBe(200)
      clock += 30_000
      expect(await apiStatus(sb, tokens.access_token)).toBe(401)
      // The refresh token outlives the access token.
      const { json } = await hopperTokenJson(sb, refreshBody(tokens.refresh_token))
      expect(await apiStatus(sb, json.access_token as string)).toBe(200)
    } finally {
      await sb.stop()
    }
  })

  it("honours a shorter codeTtlSeconds", async () => {
    let clock = 1_000_000
    const sb = await startSandbox({ consent: "approve", codeTtlSeconds: 5, now: () => clock })
    try {
      const code = await getCode(sb)
      clock += 5_000
      expect((await hopperTokenJson(sb, exchange(code))).json.error).toBe("invalid_grant")
    } finally {
      await sb.stop()
    }
  })
})
