import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { Providers, TokenRequest } from "../src/index.js"
import { formUrlEncode } from "../src/internal/encoding.js"

const build = (provider: Parameters<typeof TokenRequest.build>[0], params: Parameters<typeof TokenRequest.build>[2]) =>
  Effect.runSync(TokenRequest.build(provider, provider.endpoints.token, params))

describe("token request encoding", () => {
  it("form-urlencodes only what needs it and leaves unreserved characters literal", () => {
    expect(formUrlEncode("a-b.c_d~e")).toBe("a-b.c_d~e")
    expect(formUrlEncode("fuse-secret-with/special+chars")).toBe("fuse-secret-with%2Fspecial%2Bchars")
    expect(formUrlEncode("read write")).toBe("read+write")
    expect(formUrlEncode("é")).toBe("%C3%A9")
  })

  it("sends Basic credentials as base64 of the form-encoded id and secret (RFC 6749 §2.3.1)", () => {
    const fuse = Providers.cryptofuse({ clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars" })
    const { request } = build(fuse, [["grant_type", "client_credentials"], ["scope", "read write"]])
    const header = request.headers!["authorization"]!
    expect(header.startsWith("Basic ")).toBe(true)
    expect(atob(header.slice(6))).toBe("fuse-client:fuse-secret-with%2Fspecial%2Bchars")
    expect(request.headers!["content-type"]).toBe("application/x-www-form-urlencoded")
    expect(request.body).toBe("grant_type=client_credentials&scope=read+write")
  })

  it("puts the client credentials in the form body for client_secret_post and never in a header", () => {
    const fuse = Providers.cryptofuse({ clientId: "fuse-client", clientSecret: "s/3+", auth: "post" })
    const { request } = build(fuse, [["grant_type", "client_credentials"]])
    expect(request.headers!["authorization"]).toBeUndefined()
    expect(new URLSearchParams(request.body).get("client_secret")).toBe("s/3+")
    expect(new URLSearchParams(request.body).get("client_id")).toBe("fuse-client")
  })

  it("sends Cryptohopper's token request as JSON with the secret in the body", () => {
    const hopper = Providers.cryptohopper({
      clientId: "hopper-app",
      clientSecret: Redacted.make("hopper-secret"),
      redirectUri: "http://127.0.0.1/callback",
    })
    const { request, knownSecrets } = build(hopper, [
      ["grant_type", "authorization_code"],
      ["code", Redacted.make("the-code")],
      ["redirect_uri", "http://127.0.0.1/callback"],
      ["code_verifier", undefined],
    ])
    expect(request.headers!["content-type"]).toBe("application/json")
    expect(JSON.parse(request.body!)).toEqual({
      grant_type: "authorization_code",
      code: "the-code",
      redirect_uri: "http://127.0.0.1/callback",
      client_id: "hopper-app",
      client_secret: "hopper-secret",
    })
    expect(knownSecrets).toEqual(expect.arrayContaining(["the-code", "hopper-secret"]))
  })

  it("sends only client_id for a public client", () => {
    const pub = Providers.generic({ tokenEndpoint: "https://idp.example/token", clientId: "spa" })
    const { request } = build(pub, [["grant_type", "client_credentials"]])
    expect(request.headers!["authorization"]).toBeUndefined()
    expect(request.body).toBe("grant_type=client_credentials&client_id=spa")
  })

  it("fails with ConfigError when the dialect needs a secret that was removed", () => {
    const pub = Providers.generic({ tokenEndpoint: "https://idp.example/token", clientId: "spa" })
    const broken = { ...pub, dialect: { ...pub.dialect, clientAuth: "client_secret_basic" as const } }
    const exit = Effect.runSyncExit(TokenRequest.build(broken, broken.endpoints.token, []))
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toContain("ConfigError")
  })

  it("joins scopes with the dialect's delimiter", () => {
    const hopper = Providers.cryptohopper({ clientId: "a", clientSecret: "b" })
    const fuse = Providers.cryptofuse({ clientId: "a", clientSecret: "b" })
    expect(TokenRequest.joinScopes(hopper, ["read", "trade"])).toBe("read,trade")
    expect(TokenRequest.joinScopes(fuse, ["read", "write"])).toBe("read write")
    expect(TokenRequest.joinScopes(fuse, [])).toBeUndefined()
  })
})
