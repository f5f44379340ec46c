import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { type HttpResponse, InvalidResponse, OAuthServerError, Providers, TokenResponse } from "../src/index.js"
import { squashExit } from "../src/internal/runPromise.js"

const hopper = Providers.cryptohopper({ clientId: "hopper-app", clientSecret: "hopper-secret" })
const fuse = Providers.cryptofuse({ clientId: "fuse-client", clientSecret: "fuse-secret" })

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
})

const decode = (response: HttpResponse, ctx: TokenResponse.DecodeContext = {}, provider = fuse) =>
  squashExit(Effect.runSyncExit(TokenResponse.decode(provider, response, { now: 1_000_000, ...ctx })))

const failure = (response: HttpResponse, ctx: TokenResponse.DecodeContext = {}, provider = fuse) => {
  const exit = Effect.runSyncExit(TokenResponse.decode(provider, response, { now: 1_000_000, ...ctx }))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  try {
    squashExit(exit)
  } catch (e) {
    return e as OAuthServerError | InvalidResponse
  }
  throw new Error("unreachable")
}

describe("token response decoding", () => {
  it("decodes a standard answer into a TokenSet with Redacted secrets", () => {
    const tokens = decode(
      json(200, { access_token: "AT", token_type: "Bearer", expires_in: 36000, scope: "read write", refresh_token: "RT" }),
    )
    expect(Redacted.value(tokens.accessToken)).toBe("AT")
    expect(Redacted.value(tokens.refreshToken!)).toBe("RT")
    expect(tokens.expiresAt?.getTime()).toBe(1_000_000 + 36_000_000)
    expect(tokens.scopes).toEqual(["read", "write"])
    expect(tokens.raw).toEqual({ token_type: "Bearer", expires_in: 36000, scope: "read write" })
  })

  it("accepts expires_in as a numeric string", () => {
    const tokens = decode(json(200, { access_token: "AT", token_type: "Bearer", expires_in: "3600" }))
    expect(tokens.expiresAt?.getTime()).toBe(1_000_000 + 3_600_000)
  })

  it("normalises token_type bearer in any case to Bearer and keeps other types", () => {
    expect(decode(json(200, { access_token: "AT", token_type: "bearer" })).tokenType).toBe("Bearer")
    expect(decode(json(200, { access_token: "AT", token_type: "BEARER" })).tokenType).toBe("Bearer")
    expect(decode(json(200, { access_token: "AT", token_type: "DPoP" })).tokenType).toBe("DPoP")
  })

  it("reads scope as null, absent, comma or space separated whatever the dialect", () => {
    expect(decode(json(200, { access_token: "AT", scope: null }), {}, hopper).scopes).toEqual([])
    expect(decode(json(200, { access_token: "AT" }), {}, hopper).scopes).toEqual([])
    expect(decode(json(200, { access_token: "AT", scope: "read,manage,trade" }), {}, hopper).scopes).toEqual([
      "read",
      "manage",
      "trade",
    ])
    expect(decode(json(200, { access_token: "AT", scope: "read write" }), {}, hopper).scopes).toEqual(["read", "write"])
    expect(decode(json(200, { access_token: "AT", scope: "read,write" }), {}, fuse).scopes).toEqual(["read", "write"])
  })

  it("keeps the old refresh token when a refresh answer has none and the dialect says so", () => {
    const old = Redacted.make("OLD-RT")
    const tokens = decode(json(200, { access_token: "AT2" }), { previousRefreshToken: old }, hopper)
    expect(tokens.refreshToken).toBe(old)
    const strict = { ...hopper, dialect: { ...hopper.dialect, keepRefreshTokenWhenAbsent: false } }
    expect(decode(json(200, { access_token: "AT2" }), { previousRefreshToken: old }, strict).refreshToken).toBeUndefined()
  })

  it("turns an RFC 6749 error body into OAuthServerError with status and Retry-After", () => {
    const e = failure(
      json(400, { error: "invalid_client", error_description: "Client authentication failed", error_uri: "https://x/e" }, {
        "retry-after": "7",
      }),
    )
    expect(e).toBeInstanceOf(OAuthServerError)
    expect(e).toMatchObject({
      _tag: "OAuthServerError",
      error: "invalid_client",
      description: "Client authentication failed",
      uri: "https://x/e",
      status: 400,
      retryAfter: 7,
    })
  })

  it("turns an error inside a 200 into OAuthServerError", () => {
    const e = failure(json(200, { error: "invalid_grant", error_description: "expired" }))
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant", status: 200 })
  })

  it("reads Cryptohopper's error=1 body with its message", () => {
    const e = failure(json(200, { status: 401, code: 0, error: 1, message: "App key is invalid." }), {}, hopper)
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "1", description: "App key is invalid." })
  })

  it("reads invalid_client from WWW-Authenticate on a 401 without a JSON body", () => {
    const e = failure({
      status: 401,
      headers: { "www-authenticate": 'Bearer error="invalid_client"', "content-type": "text/plain" },
      body: "",
    })
    expect(e).toMatchObject({ _tag: "OAuthServerError", error: "invalid_client", status: 401, description: undefined })
  })

  it("reports an HTML page as InvalidResponse with status and content type", () => {
    const e = failure({ status: 200, headers: { "content-type": "text/html" }, body: "<html><body>IP blocked</body></html>" })
    expect(e).toBeInstanceOf(InvalidResponse)
    expect(e).toMatchObject({ status: 200, contentType: "text/html" })
    expect((e as InvalidResponse).reason).toMatch(/HTML/)
    expect((e as InvalidResponse).excerpt).toContain("IP blocked")
  })

  it("reports empty, truncated, non-object and wrong-shape bodies as InvalidResponse", () => {
    expect(failure(json(200, ""))).toMatchObject({ _tag: "InvalidResponse", reason: "empty body" })
    expect(failure(json(200, '{"access_token":"abc'))).toMatchObject({ _tag: "InvalidResponse" })
    expect((failure(json(200, '{"access_token":"abc')) as InvalidResponse).reason).toMatch(/JSON/)
    expect(failure(json(200, "[1,2]"))).toMatchObject({ _tag: "InvalidResponse" })
    expect(failure(json(200, { token_type: "Bearer" }))).toMatchObject({
      _tag: "InvalidResponse",
      reason: "token response has no access_token",
    })
    expect(failure(json(200, { access_token: "x", expires_in: "soon" }))).toMatchObject({ _tag: "InvalidResponse" })
    expect(failure(json(502, "Bad gateway"))).toMatchObject({ _tag: "InvalidResponse", status: 502 })
  })

  it("redacts token values and known secrets from excerpts and descriptions", () => {
    const truncated = '{"access_token":"sk_live_abcdefghijklmnopqrstuvwxyz0123456789","refresh_token":"short","x":1'
    const e = failure(json(200, truncated)) as InvalidResponse
    expect(e.excerpt).not.toContain("sk_live")
    expect(e.excerpt).not.toContain("short")
    expect(e.excerpt).toContain("<redacted>")

    const echoed = failure(
      json(400, { error: "invalid_client", error_description: "bad secret fuse-secret-with/special+chars" }),
      { knownSecrets: ["fuse-secret-with/special+chars"] },
    )
    expect(echoed.message).not.toContain("fuse-secret")
    expect(JSON.stringify(echoed)).not.toContain("fuse-secret")
  })

  it("accepts a form-encoded token answer", () => {
    const tokens = decode({
      status: 200,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "access_token=AT&token_type=bearer&scope=repo%2Cuser",
    })
    expect(Redacted.value(tokens.accessToken)).toBe("AT")
    expect(tokens.scopes).toEqual(["repo", "user"])
  })
})
