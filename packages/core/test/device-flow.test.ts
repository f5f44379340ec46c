// The device authorization grant (RFC 8628) against a certified server (oidc-provider 9 with
// `features.deviceFlow`): the person types the user code into oidc-provider's own pages (driven
// over HTTP as a browser would), and the client polls its token endpoint.
import { inspect } from "node:util"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  AuthorizationError,
  ConfigError,
  OAuth,
  Providers,
  TransportError,
  type DeviceAuthorization,
  type OAuthClient,
  type Provider,
} from "../src/index.js"
import { rejectionOf } from "./helpers/sandbox.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { completeDeviceLogin, startOidcServer, type OidcServer } from "./support/oidcServer.js"
import { withRecordingClock as withClock } from "./support/recordingClock.js"

describe("device authorization grant against oidc-provider 9", { timeout: 30_000 }, () => {
  let op: OidcServer
  const pool = clientPool()
  const clientFor = (provider: Provider): OAuthClient => pool.make(provider, { timeoutMs: 5_000 })
  const basicProvider = () =>
    Providers.generic({
      tokenEndpoint: op.endpoints.token,
      deviceAuthorizationEndpoint: op.endpoints.deviceAuthorization,
      introspectionEndpoint: op.endpoints.introspection,
      clientId: op.clients.basic.clientId,
      clientSecret: op.clients.basic.clientSecret,
      grant: "authorization_code",
      allowInsecureHttp: true,
    })
  const publicProvider = () =>
    Providers.generic({
      tokenEndpoint: op.endpoints.token,
      deviceAuthorizationEndpoint: op.endpoints.deviceAuthorization,
      clientId: op.clients.public.clientId,
      grant: "authorization_code",
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

  it("discovery reads device_authorization_endpoint and introspection_endpoint from the metadata", async () => {
    const provider = await Providers.discover(op.issuer, {
      clientId: op.clients.basic.clientId,
      clientSecret: op.clients.basic.clientSecret,
      allowInsecureHttp: true,
    })
    expect(provider.endpoints.deviceAuthorization).toBe(op.endpoints.deviceAuthorization)
    expect(provider.endpoints.introspection).toBe(op.endpoints.introspection)
  })

  it("hands out a user code, a verification URI and the server's interval, with the device code redacted", async () => {
    const client = clientFor(basicProvider())
    const before = Date.now()
    const grant = await client.deviceAuthorization({ scopes: ["openid", "offline_access"] })
    expect(grant.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
    expect(grant.verificationUri).toBe(`${op.issuer}/device`)
    expect(new URL(grant.verificationUriComplete!).searchParams.get("user_code")).toBe(grant.userCode)
    expect(grant.intervalMs).toBe(1_000)
    // oidc-provider's device codes live 10 minutes.
    expect(grant.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 590_000)
    expect(grant.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 600_000)
    const code = Redacted.value(grant.deviceCode)
    expect(code.length).toBeGreaterThan(10)
    for (const shown of [JSON.stringify(grant), String(grant.deviceCode), inspect(grant, { depth: 5 })]) {
      expect(shown).not.toContain(code)
    }
  })

  it("returns the tokens once the person entered the code and confirmed on the server's pages, and stores them as the session", async () => {
    const client = clientFor(basicProvider())
    const grant = await client.deviceAuthorization({ scopes: ["openid", "offline_access", "api:read"] })
    const tokens = client.pollDeviceAuthorization(grant, { session: "terminal" })
    const outcome = await completeDeviceLogin(grant.verificationUri, grant.userCode, "confirm")
    expect(outcome.page).toContain("Sign-in Success")
    const set = await tokens
    expect(set.refreshToken).toBeDefined()
    expect(set.idToken).toBeDefined()
    expect(set.scopes).toEqual(expect.arrayContaining(["api:read"]))
    const info = await op.introspect(Redacted.value(set.accessToken))
    expect(info).toMatchObject({ active: true, client_id: op.clients.basic.clientId, sub: "user-1" })
    expect(Redacted.value(await client.getAccessToken({ session: "terminal" }))).toBe(
      Redacted.value(set.accessToken),
    )
  })

  it("stores the tokens of a login without a session name as the default session, and nowhere with store: false", async () => {
    const client = clientFor(basicProvider())
    const first = await client.deviceAuthorization({ scopes: ["openid", "offline_access"] })
    const stored = client.pollDeviceAuthorization(first)
    await completeDeviceLogin(first.verificationUri, first.userCode, "confirm")
    const tokens = await stored
    expect(Redacted.value(await client.getAccessToken())).toBe(Redacted.value(tokens.accessToken))
    const second = await client.deviceAuthorization({ scopes: ["openid", "offline_access"] })
    const kept = client.pollDeviceAuthorization(second, { store: false })
    await completeDeviceLogin(second.verificationUri, second.userCode, "confirm")
    const other = await kept
    expect(Redacted.value(other.accessToken)).not.toBe(Redacted.value(tokens.accessToken))
    expect(Redacted.value(await client.getAccessToken())).toBe(Redacted.value(tokens.accessToken))
  })

  it("lets the person open verification_uri_complete instead of typing the code", async () => {
    const client = clientFor(basicProvider())
    const grant = await client.deviceAuthorization({ scopes: ["openid"] })
    const tokens = client.pollDeviceAuthorization(grant)
    const outcome = await completeDeviceLogin(grant.verificationUriComplete!, undefined, "confirm")
    expect(outcome.page).toContain("Sign-in Success")
    expect(await op.introspect(Redacted.value((await tokens).accessToken))).toMatchObject({ active: true })
  })

  it("works for a public client, which identifies itself by client_id alone", async () => {
    const client = clientFor(publicProvider())
    const grant = await client.deviceAuthorization({ scopes: ["openid"] })
    const tokens = client.pollDeviceAuthorization(grant)
    await completeDeviceLogin(grant.verificationUri, grant.userCode, "confirm")
    const info = await op.introspect(Redacted.value((await tokens).accessToken))
    expect(info).toMatchObject({ active: true, client_id: op.clients.public.clientId })
  })

  it("fails with AuthorizationError access_denied when the person presses Abort on the confirmation page", async () => {
    const client = clientFor(basicProvider())
    const grant = await client.deviceAuthorization({ scopes: ["openid"] })
    const tokens = rejectionOf(client.pollDeviceAuthorization(grant))
    const outcome = await completeDeviceLogin(grant.verificationUri, grant.userCode, "abort")
    expect(outcome.page).toContain("interrupted")
    const error = await tokens
    expect(error).toBeInstanceOf(AuthorizationError)
    expect(error).toMatchObject({ _tag: "AuthorizationError", error: "access_denied" })
  })

  it("fails with AuthorizationError access_denied when the person declines at the consent step", async () => {
    const client = clientFor(basicProvider())
    const grant = await client.deviceAuthorization({ scopes: ["openid"] })
    const tokens = rejectionOf(client.pollDeviceAuthorization(grant))
    op.setDecision("deny")
    try {
      await completeDeviceLogin(grant.verificationUri, grant.userCode, "confirm")
    } finally {
      op.setDecision("approve")
    }
    expect(await tokens).toMatchObject({ _tag: "AuthorizationError", error: "access_denied" })
  })

  it("stops polling with TransportError aborted when the caller's signal fires", async () => {
    const client = clientFor(basicProvider())
    const grant = await client.deviceAuthorization({ scopes: ["openid"] })
    const controller = new AbortController()
    const tokens = rejectionOf(client.pollDeviceAuthorization(grant, { signal: controller.signal }))
    controller.abort()
    const error = await tokens
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ reason: "aborted" })
    // The code was never spent: the person can still approve it, and a new poll gets the tokens.
    const again = client.pollDeviceAuthorization(grant)
    await completeDeviceLogin(grant.verificationUri, grant.userCode, "confirm")
    expect(Redacted.value((await again).accessToken).length).toBeGreaterThan(0)
  })

  it("fails with ConfigError when the provider has no device authorization endpoint", async () => {
    const client = clientFor(
      Providers.generic({
        tokenEndpoint: op.endpoints.token,
        clientId: op.clients.basic.clientId,
        clientSecret: op.clients.basic.clientSecret,
        allowInsecureHttp: true,
      }),
    )
    expect(await rejectionOf(client.deviceAuthorization())).toBeInstanceOf(ConfigError)
  })

  describe("polling pace, on Effect's Clock", () => {
    it("waits the interval before each poll and 5 s longer after every slow_down", async () => {
      const provider = basicProvider()
      const polled = await withClock(({ adjust, sleeps, waitForSleep }) =>
        Effect.gen(function* () {
          const grant = yield* OAuth.deviceAuthorization(provider, { scopes: ["openid"] })
          const pollsBefore = op.devicePolls.length
          op.slowDownNext(1)
          const fiber = yield* Effect.forkChild(OAuth.pollDeviceAuthorization(provider, grant))
          yield* waitForSleep(1)
          yield* adjust(1_000) // first poll: pending, rewritten to slow_down
          yield* waitForSleep(2)
          yield* adjust(6_000) // second poll: authorization_pending, the interval stays 6 s
          yield* waitForSleep(3)
          yield* Effect.promise(() => completeDeviceLogin(grant.verificationUri, grant.userCode, "confirm"))
          yield* adjust(6_000) // third poll: the tokens
          const tokens = yield* Fiber.join(fiber)
          return { sleeps: [...sleeps], polls: op.devicePolls.slice(pollsBefore), tokens }
        }),
      )
      expect(polled.sleeps).toEqual([1_000, 6_000, 6_000])
      expect(polled.polls).toEqual(["slow_down", "authorization_pending"])
      expect(Redacted.value(polled.tokens.accessToken).length).toBeGreaterThan(0)
    })

    it("gives up with AuthorizationError expired_token when expiresAt passes, without polling after it", async () => {
      const provider = basicProvider()
      const outcome = await withClock(({ adjust, waitForSleep }) =>
        Effect.gen(function* () {
          const grant = yield* OAuth.deviceAuthorization(provider, { scopes: ["openid"] })
          // A short-lived code as some servers hand out: 3 polls fit before it expires.
          const now = yield* Clock.currentTimeMillis
          const shortLived: DeviceAuthorization = { ...grant, expiresAt: new Date(now + 3_500) }
          const pollsBefore = op.devicePolls.length
          const fiber = yield* Effect.forkChild(OAuth.pollDeviceAuthorization(provider, shortLived))
          for (let n = 1; n <= 3; n++) {
            yield* waitForSleep(n)
            yield* adjust(1_000)
          }
          const exit = yield* Fiber.await(fiber)
          return { exit, polls: op.devicePolls.slice(pollsBefore) }
        }),
      )
      expect(outcome.polls).toEqual([
        "authorization_pending",
        "authorization_pending",
        "authorization_pending",
      ])
      expect(Exit.isFailure(outcome.exit)).toBe(true)
      const error = Exit.isFailure(outcome.exit) ? Exit.findErrorOption(outcome.exit) : undefined
      expect(error).toMatchObject({
        _tag: "Some",
        value: { _tag: "AuthorizationError", error: "expired_token" },
      })
    })

    it("fails with AuthorizationError expired_token when the server says the device code expired", async () => {
      const provider = basicProvider()
      const exit = await withClock(({ adjust, waitForSleep }) =>
        Effect.gen(function* () {
          const grant = yield* OAuth.deviceAuthorization(provider, { scopes: ["openid"] })
          const fiber = yield* Effect.forkChild(OAuth.pollDeviceAuthorization(provider, grant))
          yield* waitForSleep(1)
          op.expireDeviceCodes()
          yield* adjust(1_000)
          return yield* Fiber.await(fiber)
        }),
      )
      expect(Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined).toMatchObject({
        _tag: "Some",
        value: { _tag: "AuthorizationError", error: "expired_token" },
      })
    })
  })
})
