import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { ConfigError, Providers } from "../src/index.js"

describe("provider presets", () => {
  it("builds Cryptohopper with its documented endpoints and dialect", () => {
    const p = Providers.cryptohopper({ clientId: "app", clientSecret: "s", redirectUri: "https://app.example/cb" })
    expect(p.endpoints).toMatchObject({
      authorization: "https://www.cryptohopper.com/oauth2/authorize",
      token: "https://www.cryptohopper.com/oauth2/token",
      api: "https://api.cryptohopper.com/v1",
      revocation: undefined,
    })
    expect(p.dialect).toMatchObject({
      tokenRequestBody: "json",
      clientAuth: "client_secret_post",
      scopeDelimiter: ",",
      pkce: "S256",
      callbackErrors: "error-flag",
      apiAuth: { kind: "header", header: "access-token", appKeyHeader: undefined },
    })
    expect(p.grant).toBe("authorization_code")
  })

  it("sends the app key header and another PKCE method when asked", () => {
    const p = Providers.cryptohopper({ clientId: "app", clientSecret: "s", appKeyHeader: true, pkce: "none" })
    expect(p.dialect.apiAuth).toEqual({ kind: "header", header: "access-token", appKeyHeader: "x-api-app-key" })
    expect(p.dialect.pkce).toBe("none")
  })

  it("builds Cryptofuse endpoints from its base URL", () => {
    const p = Providers.cryptofuse({ clientId: "c", clientSecret: "s", baseUrl: "http://127.0.0.1:4000/" })
    expect(p.endpoints.token).toBe("http://127.0.0.1:4000/o/token/")
    expect(p.endpoints.revocation).toBe("http://127.0.0.1:4000/o/revoke_token/")
    expect(p.endpoints.api).toBe("http://127.0.0.1:4000")
    expect(p.dialect.clientAuth).toBe("client_secret_basic")
    expect(p.dialect.scopeDelimiter).toBe(" ")
    expect(p.grant).toBe("client_credentials")
    expect(Providers.cryptofuse({ clientId: "c", clientSecret: "s", auth: "post" }).dialect.clientAuth).toBe(
      "client_secret_post",
    )
  })

  it("keeps the client secret Redacted whether it came as a string or a Redacted", () => {
    const a = Providers.cryptofuse({ clientId: "c", clientSecret: "plain-secret" })
    const b = Providers.cryptofuse({ clientId: "c", clientSecret: Redacted.make("wrapped-secret") })
    expect(Redacted.isRedacted(a.client.clientSecret)).toBe(true)
    expect(Redacted.value(b.client.clientSecret!)).toBe("wrapped-secret")
    expect(JSON.stringify(a)).not.toContain("plain-secret")
    expect(String(a.client.clientSecret)).toBe("<redacted>")
  })

  it("lets a generic provider override every dialect field", () => {
    const p = Providers.generic({
      tokenEndpoint: "https://idp.example/token",
      clientId: "x",
      clientSecret: "y",
      dialect: { tokenRequestBody: "json", scopeDelimiter: ",", clientAuth: "client_secret_post" },
    })
    expect(p.id).toBe("idp.example")
    expect(p.dialect).toMatchObject({ tokenRequestBody: "json", scopeDelimiter: ",", clientAuth: "client_secret_post" })
    expect(p.grant).toBe("client_credentials")
  })

  it("refuses plain http to a host that is not loopback unless explicitly allowed", () => {
    expect(() => Providers.cryptofuse({ clientId: "c", clientSecret: "s", baseUrl: "http://api.example.com" })).toThrow(
      ConfigError,
    )
    expect(
      Providers.cryptofuse({ clientId: "c", clientSecret: "s", baseUrl: "http://api.example.com", allowInsecureHttp: true })
        .endpoints.token,
    ).toBe("http://api.example.com/o/token/")
    for (const host of ["localhost:3000", "127.0.0.1", "[::1]:8080"]) {
      expect(Providers.cryptofuse({ clientId: "c", clientSecret: "s", baseUrl: `http://${host}` }).endpoints.api).toBe(
        `http://${host}`,
      )
    }
  })

  it("refuses malformed URLs, missing client ids and missing secrets with ConfigError", () => {
    expect(() => Providers.generic({ tokenEndpoint: "not a url", clientId: "x" })).toThrow(/not a valid absolute URL/)
    expect(() => Providers.generic({ tokenEndpoint: "ftp://idp.example/token", clientId: "x" })).toThrow(ConfigError)
    expect(() => Providers.generic({ tokenEndpoint: "https://idp.example/token", clientId: "" })).toThrow(/clientId/)
    expect(() =>
      Providers.generic({ tokenEndpoint: "https://idp.example/token", clientId: "x", dialect: { clientAuth: "client_secret_basic" } }),
    ).toThrow(/clientSecret is required/)
    expect(() => Providers.cryptofuse({ clientId: "c", clientSecret: "s", scopes: ["read write"] })).toThrow(ConfigError)
  })

  it("never echoes a URL's query or credentials in a ConfigError", () => {
    try {
      Providers.generic({ tokenEndpoint: "https://user:hunter2@idp.example/token", clientId: "x" })
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2")
      expect((e as ConfigError)._tag).toBe("ConfigError")
    }
  })

  it("accepts a native app's reverse-domain redirect scheme but refuses script, data and file schemes", () => {
    const make = (redirectUri: string) =>
      Providers.generic({ tokenEndpoint: "https://idp.example/token", clientId: "app", redirectUri })
    expect(make("com.example.app:/oauth/callback").client.redirectUri).toBe("com.example.app:/oauth/callback")
    for (const bad of ["javascript:alert(1)//", "data:text/html,hi", "file:///etc/passwd", "ftp://host/cb"]) {
      expect(() => make(bad)).toThrow(ConfigError)
    }
  })
})
