// Token introspection (RFC 7662) against a certified server (oidc-provider 9 with
// `features.introspection`), authenticated the way the provider's token endpoint is.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  ConfigError,
  HttpTransport,
  InvalidResponse,
  OAuth,
  OAuthServerError,
  Providers,
  type OAuthClient,
  type Provider,
} from "../src/index.js"
import { rejectionOf } from "./helpers/sandbox.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { completeDeviceLogin, startOidcServer, type OidcServer } from "./support/oidcServer.js"

describe("token introspection against oidc-provider 9", { timeout: 30_000 }, () => {
  let op: OidcServer
  const pool = clientPool()
  const clientFor = (provider: Provider): OAuthClient => pool.make(provider, { timeoutMs: 5_000 })
  const providerFor = (which: "basic" | "post", secret?: string) =>
    Providers.generic({
      tokenEndpoint: op.endpoints.token,
      revocationEndpoint: op.endpoints.revocation,
      introspectionEndpoint: op.endpoints.introspection,
      clientId: op.clients[which].clientId,
      clientSecret: secret ?? op.clients[which].clientSecret,
      dialect: { clientAuth: op.clients[which].authMethod },
      allowInsecureHttp: true,
    })

  beforeAll(async () => {
    op = await startOidcServer({ deviceInterval: 1 })
  })

  afterAll(async () => {
    await pool.disposeAll()
    await op?.stop()
    expect(op?.serverErrors ?? []).toEqual([])
  })

  for (const which of ["basic", "post"] as const) {
    it(`reports an active token's scopes, client, expiry and type, authenticating with client_secret_${which}`, async () => {
      const client = clientFor(providerFor(which))
      const tokens = await client.clientCredentials({ scopes: ["api:read"] })
      const info = await client.introspect(tokens.accessToken, { hint: "access_token" })
      expect(info.active).toBe(true)
      expect(info.scopes).toEqual(["api:read"])
      expect(info.clientId).toBe(op.clients[which].clientId)
      expect(info.tokenType).toBe("Bearer")
      // The server's exp is in whole seconds; our expiresAt from expires_in in milliseconds.
      expect(Math.abs(info.expiresAt!.getTime() - tokens.expiresAt!.getTime())).toBeLessThan(2_000)
      expect(info.raw["active"]).toBe(true)
    })
  }

  it("names the user a user's token belongs to as its subject", async () => {
    // A device login is the shortest way to a user's token on this server: see device-flow.test.ts.
    const provider = Providers.generic({
      tokenEndpoint: op.endpoints.token,
      deviceAuthorizationEndpoint: op.endpoints.deviceAuthorization,
      introspectionEndpoint: op.endpoints.introspection,
      clientId: op.clients.basic.clientId,
      clientSecret: op.clients.basic.clientSecret,
      allowInsecureHttp: true,
    })
    const client = clientFor(provider)
    const grant = await client.deviceAuthorization({ scopes: ["openid", "offline_access"] })
    const polled = client.pollDeviceAuthorization(grant)
    await completeDeviceLogin(grant.verificationUri, grant.userCode, "confirm")
    const tokens = await polled
    const info = await client.introspect(tokens.accessToken)
    expect(info).toMatchObject({ active: true, subject: "user-1", clientId: op.clients.basic.clientId })
    const refresh = await client.introspect(tokens.refreshToken!, { hint: "refresh_token" })
    expect(refresh).toMatchObject({ active: true, subject: "user-1", tokenType: undefined })
  })

  it("answers active: false for a revoked token and for one the server never issued", async () => {
    const client = clientFor(providerFor("basic"))
    const tokens = await client.clientCredentials({ scopes: ["api:read"] })
    await client.revoke(tokens.accessToken, { hint: "access_token" })
    const revoked = await client.introspect(tokens.accessToken)
    expect(revoked).toEqual({
      active: false,
      scopes: [],
      clientId: undefined,
      expiresAt: undefined,
      subject: undefined,
      username: undefined,
      tokenType: undefined,
      raw: { active: false },
    })
    expect((await client.introspect("never-issued-token")).active).toBe(false)
  })

  it("keeps the token out of everything it returns", async () => {
    const client = clientFor(providerFor("basic"))
    const tokens = await client.clientCredentials({ scopes: ["api:read"] })
    const token = Redacted.value(tokens.accessToken)
    const info = await client.introspect(token)
    for (const shown of [JSON.stringify(info), inspect(info, { depth: 10 })])
      expect(shown).not.toContain(token)
  })

  it("fails with OAuthServerError invalid_client when the client secret is wrong, without repeating it", async () => {
    const wrong = "wrong-secret-value-1234"
    const client = clientFor(providerFor("basic", wrong))
    const error = await rejectionOf(client.introspect("some-token"))
    expect(error).toBeInstanceOf(OAuthServerError)
    expect(error).toMatchObject({ error: "invalid_client", status: 401 })
    expect(JSON.stringify(error) + String(error)).not.toContain(wrong)
  })

  it("fails with ConfigError when the provider has no introspection endpoint", async () => {
    const client = clientFor(
      Providers.generic({
        tokenEndpoint: op.endpoints.token,
        clientId: op.clients.basic.clientId,
        clientSecret: op.clients.basic.clientSecret,
        allowInsecureHttp: true,
      }),
    )
    expect(await rejectionOf(client.introspect("x"))).toBeInstanceOf(ConfigError)
  })

  describe("answers oidc-provider never gives", () => {
    // oidc-provider always answers correctly and never echoes the token; this one-route server
    // answers what each test sets, the way a broken proxy or a careless server might.
    let server: Server
    let answer: unknown
    let provider: Provider
    const run = (token: string) =>
      Effect.runPromiseExit(
        OAuth.introspect(provider, token).pipe(Effect.provideService(HttpTransport, HttpTransport.make())),
      )

    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume()
        req.on("end", () =>
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)),
        )
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const { port } = server.address() as AddressInfo
      provider = Providers.generic({
        tokenEndpoint: `http://127.0.0.1:${port}/token`,
        introspectionEndpoint: `http://127.0.0.1:${port}/introspect`,
        clientId: "app",
        clientSecret: "app-secret-value",
        allowInsecureHttp: true,
      })
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it("turns an answer without a boolean active into InvalidResponse that does not repeat the token", async () => {
      const token = "tok-" + "9".repeat(30)
      answer = { active: "true", echo: token }
      const exit = await run(token)
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
      expect(error).toBeInstanceOf(InvalidResponse)
      expect(error).toMatchObject({ status: 200, reason: expect.stringContaining("active") })
      expect(JSON.stringify(error)).not.toContain(token)
    })

    it("redacts an echoed token and client secret in raw, in any spelling, and keeps the other fields", async () => {
      const token = "short+tok/en"
      answer = {
        active: true,
        scope: "read write",
        token,
        note: `checked ${encodeURIComponent(token)} for app-secret-value`,
        jti: "a-long-identifier-0123456789abcdefghijklmnop",
        aud: ["api", token],
      }
      const exit = await run(token)
      expect(Exit.isSuccess(exit)).toBe(true)
      const info = Exit.isSuccess(exit) ? exit.value : undefined
      expect(info?.scopes).toEqual(["read", "write"])
      expect(info?.raw).toEqual({
        active: true,
        scope: "read write",
        token: "<redacted>",
        note: "checked <redacted> for <redacted>",
        jti: "a-long-identifier-0123456789abcdefghijklmnop",
        aud: ["api", "<redacted>"],
      })
    })
  })
})
