// @grantflow/core against a certified authorization server (oidc-provider 9): discovery, the
// authorization code flow with PKCE, client credentials with both secret methods, refresh,
// revocation and server errors, over real HTTP on 127.0.0.1.
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  AuthorizationError,
  InvalidResponse,
  OAuth,
  OAuthServerError,
  Providers,
  StateMismatch,
  type OAuthClient,
  type Provider,
} from "../src/index.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { API_RESOURCE, followAuthorization, startOidcServer, type OidcServer } from "./support/oidcServer.js"

// Returns `unknown` (not the helpers' loosely typed Error) so the tests can cast it to one tagged error.
const rejectionOf = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error("expected the promise to reject")
}

describe("@grantflow/core against oidc-provider 9", { timeout: 30_000 }, () => {
  let op: OidcServer
  const pool = clientPool()
  /** A client that is disposed after the file, with a short timeout so nothing can hang. */
  const clientFor = (provider: Provider): OAuthClient => pool.make(provider, { timeoutMs: 5_000 })
  const discoverBasic = () =>
    Providers.discover(op.issuer, {
      clientId: op.clients.basic.clientId,
      clientSecret: op.clients.basic.clientSecret,
      redirectUri: op.clients.basic.redirectUri,
    })
  const discoverPublic = () =>
    Providers.discover(op.issuer, {
      clientId: op.clients.public.clientId,
      redirectUri: op.clients.public.redirectUri,
    })
  const tokenProvider = (client: "basic" | "post", secret?: string) =>
    Providers.generic({
      tokenEndpoint: op.endpoints.token,
      revocationEndpoint: op.endpoints.revocation,
      clientId: op.clients[client].clientId,
      clientSecret: secret ?? op.clients[client].clientSecret,
      dialect: { clientAuth: op.clients[client].authMethod },
    })
  /** Runs the authorization code flow through login and consent and returns the tokens. */
  const signIn = async (client: OAuthClient, scopes = ["openid", "api:read"]) => {
    const { url } = await client.authorizationUrl({ scopes })
    return client.handleCallback(await followAuthorization(url))
  }

  beforeAll(async () => {
    op = await startOidcServer()
  })

  afterAll(async () => {
    await pool.disposeAll()
    await op?.stop()
    expect(op?.serverErrors ?? []).toEqual([])
  })

  describe("discovery", () => {
    it("builds a provider from the issuer's metadata: its endpoints, Basic authentication and S256 PKCE", async () => {
      const provider = await discoverBasic()
      expect(provider.endpoints).toMatchObject({
        issuer: op.issuer,
        authorization: op.endpoints.authorization,
        token: op.endpoints.token,
        revocation: op.endpoints.revocation,
      })
      expect(provider.dialect.clientAuth).toBe("client_secret_basic")
      expect(provider.dialect.pkce).toBe("S256")
      // oidc-provider advertises RFC 9207, so callbacks without `iss` must be refused.
      expect(provider.dialect.requireIssInCallback).toBe(true)
      expect(provider.client.clientId).toBe(op.clients.basic.clientId)
    })

    it("authenticates a client without a secret as a public client", async () => {
      const provider = await discoverPublic()
      expect(provider.dialect.clientAuth).toBe("none")
      expect(provider.dialect.pkce).toBe("S256")
    })

    it("refuses metadata that names another issuer than the one asked for", async () => {
      // Same server, other spelling: the metadata says 127.0.0.1, so `localhost` is not its issuer.
      const alias = op.issuer.replace("127.0.0.1", "localhost")
      const error = await rejectionOf(
        Providers.discover(alias, {
          clientId: op.clients.basic.clientId,
          clientSecret: op.clients.basic.clientSecret,
        }),
      )
      expect(error).toBeInstanceOf(InvalidResponse)
      expect((error as InvalidResponse).reason).toMatch(/different issuer/)
    })
  })

  describe("authorization code with PKCE", () => {
    it("signs a confidential client in: S256 challenge out, verifier and Basic credentials back, tokens issued", async () => {
      const client = clientFor(await discoverBasic())
      const request = await client.authorizationUrl({ scopes: ["openid", "api:read"] })
      const sent = new URL(request.url).searchParams
      expect(sent.get("code_challenge_method")).toBe("S256")
      expect(sent.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(sent.get("state")).toBe(request.state)

      const callback = await followAuthorization(request.url)
      expect(new URL(callback).searchParams.get("state")).toBe(request.state)
      const tokens = await client.handleCallback(callback)

      expect(tokens.tokenType).toBe("Bearer")
      expect(tokens.scopes).toEqual(["api:read"])
      expect(tokens.refreshToken).toBeDefined()
      expect(tokens.idToken).toBeDefined()
      expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now())
      expect(await op.introspect(Redacted.value(tokens.accessToken))).toMatchObject({
        active: true,
        client_id: op.clients.basic.clientId,
        sub: "user-1",
        aud: API_RESOURCE,
        scope: "api:read",
      })
    })

    it("signs a public client in with PKCE alone (the server demands the verifier)", async () => {
      const client = clientFor(await discoverPublic())
      const tokens = await signIn(client, ["openid", "api:read", "api:write"])
      expect(tokens.scopes).toEqual(["api:read", "api:write"])
      expect(await op.introspect(Redacted.value(tokens.accessToken))).toMatchObject({
        active: true,
        client_id: op.clients.public.clientId,
      })
    })

    it("sends the verifier remembered with the state: the same code without it is refused", async () => {
      const client = clientFor(await discoverPublic())
      const { url } = await client.authorizationUrl({ scopes: ["openid", "api:read"] })
      const callback = await followAuthorization(url)
      const code = new URL(callback).searchParams.get("code")!

      const withoutVerifier = await rejectionOf(client.exchangeCode(code))
      expect(withoutVerifier).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant", status: 400 })
      // The server checks PKCE before spending the code, so the real callback still works.
      const tokens = await client.handleCallback(callback)
      expect(tokens.scopes).toEqual(["api:read"])
    })

    it("consumes the state once: replaying the same callback is a StateMismatch, not a second exchange", async () => {
      const client = clientFor(await discoverPublic())
      const { url } = await client.authorizationUrl({ scopes: ["openid"] })
      const callback = await followAuthorization(url)
      await client.handleCallback(callback)

      const replay = await rejectionOf(client.handleCallback(callback))
      expect(replay).toBeInstanceOf(StateMismatch)
      expect(replay).toMatchObject({ _tag: "StateMismatch", reason: "unknown" })
    })

    it("rejects a callback whose state this client never issued", async () => {
      const mine = clientFor(await discoverPublic())
      const other = clientFor(await discoverPublic())
      const { url } = await other.authorizationUrl({ scopes: ["openid"] })
      const error = await rejectionOf(mine.handleCallback(await followAuthorization(url)))
      expect(error).toMatchObject({ _tag: "StateMismatch", reason: "unknown" })
    })

    it("rejects a callback that names another issuer (RFC 9207 mix-up defence)", async () => {
      const client = clientFor(await discoverPublic())
      const { url } = await client.authorizationUrl({ scopes: ["openid"] })
      const callback = new URL(await followAuthorization(url))
      callback.searchParams.set("iss", "https://attacker.example")
      const error = await rejectionOf(client.handleCallback(callback.href))
      expect(error).toMatchObject({ _tag: "StateMismatch", reason: "issuer" })
    })

    it("surfaces a declined consent as AuthorizationError access_denied and spends the state", async () => {
      const client = clientFor(await discoverBasic())
      const { url } = await client.authorizationUrl({ scopes: ["openid", "api:read"] })
      op.setDecision("deny")
      let callback: string
      try {
        callback = await followAuthorization(url)
      } finally {
        op.setDecision("approve")
      }
      const error = await rejectionOf(client.handleCallback(callback))
      expect(error).toBeInstanceOf(AuthorizationError)
      expect(error).toMatchObject({ error: "access_denied", description: "The user declined the request" })
      expect(await rejectionOf(client.handleCallback(callback))).toMatchObject({ _tag: "StateMismatch" })
    })

    it("surfaces a code the server does not know as OAuthServerError invalid_grant", async () => {
      const client = clientFor(await discoverBasic())
      const error = await rejectionOf(client.exchangeCode("not-a-code-this-server-issued"))
      expect(error).toBeInstanceOf(OAuthServerError)
      expect(error).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant", status: 400 })
      expect((error as OAuthServerError).description).toEqual(expect.any(String))
    })
  })

  describe("client credentials", () => {
    it("gets a token with client_secret_basic and a secret of reserved characters (form-urlencoded before base64)", async () => {
      expect(op.clients.basic.clientSecret).toMatch(/[:/+&=%]/)
      const tokens = await clientFor(tokenProvider("basic")).clientCredentials({ scopes: ["api:read"] })
      expect(tokens).toMatchObject({ tokenType: "Bearer", scopes: ["api:read"], refreshToken: undefined })
      expect(await op.introspect(Redacted.value(tokens.accessToken))).toMatchObject({
        active: true,
        client_id: op.clients.basic.clientId,
        aud: API_RESOURCE,
      })
    })

    it("gets a token with client_secret_post and a secret with spaces, ampersands and percent signs", async () => {
      expect(op.clients.post.clientSecret).toMatch(/[ &%+]/)
      const tokens = await clientFor(tokenProvider("post")).clientCredentials({
        scopes: ["api:read", "api:write"],
      })
      expect(tokens.scopes).toEqual(["api:read", "api:write"])
      expect(await op.introspect(Redacted.value(tokens.accessToken))).toMatchObject({
        active: true,
        client_id: op.clients.post.clientId,
        scope: "api:read api:write",
      })
    })

    it("works with a discovered provider told to authenticate in the body", async () => {
      const provider = await Providers.discover(op.issuer, {
        clientId: op.clients.post.clientId,
        clientSecret: op.clients.post.clientSecret,
        dialect: { clientAuth: "client_secret_post" },
      })
      const tokens = await clientFor(provider).clientCredentials({ scopes: ["api:write"] })
      expect(tokens.scopes).toEqual(["api:write"])
    })

    it.each(["basic", "post"] as const)(
      "surfaces a wrong client secret (%s) as OAuthServerError invalid_client with HTTP 401",
      async (method) => {
        const error = await rejectionOf(
          clientFor(tokenProvider(method, "not the secret")).clientCredentials({ scopes: ["api:read"] }),
        )
        expect(error).toBeInstanceOf(OAuthServerError)
        expect(error).toMatchObject({
          _tag: "OAuthServerError",
          error: "invalid_client",
          status: 401,
          description: "client authentication failed",
        })
      },
    )
  })

  describe("refresh", () => {
    it("rotates a public client's refresh token and the server refuses the old one afterwards", async () => {
      const client = clientFor(await discoverPublic())
      const first = await signIn(client)
      const second = await client.refresh(first.refreshToken!)

      expect(Redacted.value(second.accessToken)).not.toBe(Redacted.value(first.accessToken))
      expect(second.refreshToken).toBeDefined()
      expect(Redacted.value(second.refreshToken!)).not.toBe(Redacted.value(first.refreshToken!))
      expect(second.scopes).toEqual(["api:read"])
      expect(await op.introspect(Redacted.value(second.accessToken))).toMatchObject({ active: true })

      const reuse = await rejectionOf(client.refresh(first.refreshToken!))
      expect(reuse).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant", status: 400 })
    })

    it("refreshes a confidential client whose token the server keeps (no rotation yet), as often as needed", async () => {
      const client = clientFor(await discoverBasic())
      const first = await signIn(client)
      const second = await client.refresh(first.refreshToken!)
      const third = await client.refresh(second.refreshToken!)
      expect(Redacted.value(second.refreshToken!)).toBe(Redacted.value(first.refreshToken!))
      expect(new Set([first, second, third].map((t) => Redacted.value(t.accessToken))).size).toBe(3)
      expect(await op.introspect(Redacted.value(third.accessToken))).toMatchObject({ active: true })
    })

    it("narrows the scopes of a refreshed token when asked", async () => {
      const client = clientFor(await discoverBasic())
      const first = await signIn(client, ["openid", "api:read", "api:write"])
      expect(first.scopes).toEqual(["api:read", "api:write"])
      const narrowed = await client.refresh(first.refreshToken!, { scopes: ["openid", "api:read"] })
      expect(narrowed.scopes).toEqual(["api:read"])
    })

    it("surfaces an unknown refresh token as OAuthServerError invalid_grant", async () => {
      const error = await rejectionOf(
        clientFor(await discoverBasic()).refresh(Redacted.make("no-such-refresh-token")),
      )
      expect(error).toMatchObject({ _tag: "OAuthServerError", error: "invalid_grant", status: 400 })
    })
  })

  describe("revocation", () => {
    it("revokes an access token: the server's introspection then says active: false", async () => {
      const client = clientFor(tokenProvider("basic"))
      const tokens = await client.clientCredentials({ scopes: ["api:read"] })
      const token = Redacted.value(tokens.accessToken)
      expect(await op.introspect(token)).toMatchObject({ active: true })
      await client.revoke(tokens.accessToken, { hint: "access_token" })
      expect(await op.introspect(token)).toEqual({ active: false })
    })

    it("revokes a refresh token (client_secret_post): it cannot be used any more", async () => {
      const provider = await Providers.discover(op.issuer, {
        clientId: op.clients.post.clientId,
        clientSecret: op.clients.post.clientSecret,
        redirectUri: op.clients.post.redirectUri,
        dialect: { clientAuth: "client_secret_post" },
      })
      const client = clientFor(provider)
      const tokens = await signIn(client)
      await client.revoke(Redacted.value(tokens.refreshToken!), { hint: "refresh_token" })
      expect(await op.introspect(Redacted.value(tokens.refreshToken!))).toEqual({ active: false })
      expect(await rejectionOf(client.refresh(tokens.refreshToken!))).toMatchObject({
        error: "invalid_grant",
      })
    })

    it("treats revoking a token the server does not know as done (RFC 7009 §2.2)", async () => {
      await expect(clientFor(tokenProvider("basic")).revoke("never-issued")).resolves.toBeUndefined()
    })

    it("surfaces revocation with a wrong secret as OAuthServerError invalid_client", async () => {
      const error = await rejectionOf(clientFor(tokenProvider("basic", "wrong")).revoke("whatever"))
      expect(error).toMatchObject({ _tag: "OAuthServerError", error: "invalid_client", status: 401 })
    })
  })

  describe("the Effect API", () => {
    it("runs OAuth.clientCredentials with the default layer", async () => {
      const tokens = await Effect.runPromise(
        OAuth.clientCredentials(tokenProvider("basic"), { scopes: ["api:write"] }).pipe(
          Effect.provide(OAuth.layer({ timeoutMs: 5_000 })),
        ),
      )
      expect(tokens.scopes).toEqual(["api:write"])
      expect(await op.introspect(Redacted.value(tokens.accessToken))).toMatchObject({ active: true })
    })

    it("recovers from the server's invalid_client with Effect.catchTag", async () => {
      const outcome = await Effect.runPromise(
        OAuth.clientCredentials(tokenProvider("post", "wrong"), { scopes: ["api:read"] }).pipe(
          Effect.map(() => "token"),
          Effect.catchTag("OAuthServerError", (e) => Effect.succeed(`${e.error} ${e.status}`)),
          Effect.provide(OAuth.layer({ timeoutMs: 5_000 })),
        ),
      )
      expect(outcome).toBe("invalid_client 401")
    })

    it("runs discovery, authorization and the callback as Effects sharing one state store", async () => {
      const program = Effect.gen(function* () {
        const provider = yield* OAuth.discover(op.issuer, {
          clientId: op.clients.public.clientId,
          redirectUri: op.clients.public.redirectUri,
        })
        const { url } = yield* OAuth.authorize(provider, { scopes: ["openid", "api:read"] })
        const callback = yield* Effect.promise(() => followAuthorization(url))
        const tokens = yield* OAuth.handleCallback(provider, callback)
        const replay = yield* OAuth.handleCallback(provider, callback).pipe(
          Effect.map(() => "exchanged twice"),
          Effect.catchTag("StateMismatch", (e) => Effect.succeed(e.reason)),
        )
        return { tokens, replay }
      })
      const { tokens, replay } = await Effect.runPromise(
        program.pipe(Effect.provide(OAuth.layer({ timeoutMs: 5_000 }))),
      )
      expect(tokens.scopes).toEqual(["api:read"])
      expect(replay).toBe("unknown")
    })
  })
})
