// What a token endpoint's `expires_in` turns into: absurd lifetimes are clamped to one year,
// impossible ones (zero, negative) mean "unknown lifetime". Decoding is pure (plain inputs); the
// lifecycle consequences (no token request per call) are checked against the sandbox.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type HttpResponse, Providers, RefreshPolicy, TokenResponse, type TokenSet } from "../src/index.js"
import { squashExit } from "../src/internal/runPromise.js"
import { fuseProvider, hopperProvider } from "./helpers/sandbox.js"
import { clientPool, login } from "./helpers/tokenLifecycle.js"

const NOW = Date.UTC(2030, 0, 1)
const YEAR_MS = 365 * 24 * 3600 * 1000
const fuse = Providers.cryptofuse({ clientId: "fuse-client", clientSecret: "fuse-secret" })

const answer = (body: string): HttpResponse => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body,
})
const decode = (body: string): TokenSet =>
  squashExit(Effect.runSyncExit(TokenResponse.decode(fuse, answer(body), { now: NOW })))

describe("expires_in decoding", () => {
  it("clamps a lifetime of 1e13 seconds to one year instead of an Invalid Date", () => {
    const tokens = decode('{"access_token":"AT","expires_in":1e13}')
    expect(tokens.expiresAt?.getTime()).toBe(NOW + YEAR_MS)
    expect(TokenResponse.maxLifetimeSeconds).toBe(365 * 24 * 3600)
  })

  it("clamps 2^63-1, as a number and as a numeric string, to one year", () => {
    expect(decode('{"access_token":"AT","expires_in":9223372036854775807}').expiresAt?.getTime()).toBe(
      NOW + YEAR_MS,
    )
    expect(decode('{"access_token":"AT","expires_in":"9223372036854775807"}').expiresAt?.getTime()).toBe(
      NOW + YEAR_MS,
    )
  })

  it("clamps a number JSON reads as Infinity to one year", () => {
    expect(decode('{"access_token":"AT","expires_in":1e400}').expiresAt?.getTime()).toBe(NOW + YEAR_MS)
  })

  it("reads a negative or zero lifetime as unknown rather than as never expiring or already expired", () => {
    for (const stated of ["-5", "-1e400", "0", '"-3600"']) {
      const tokens = decode(`{"access_token":"AT","expires_in":${stated}}`)
      expect(tokens.expiresAt).toBeUndefined()
      expect(RefreshPolicy.lifetimeMs(tokens)).toBeUndefined()
    }
  })

  it("still refuses an expires_in that is not a number", () => {
    const exit = Effect.runSyncExit(
      TokenResponse.decode(fuse, answer('{"access_token":"AT","expires_in":"soon"}')),
    )
    expect(() => squashExit(exit)).toThrow(expect.objectContaining({ _tag: "InvalidResponse" }))
  })

  it("uses the clamped lifetime for the refresh point too", () => {
    const tokens = decode('{"access_token":"AT","expires_in":1e13}')
    expect(RefreshPolicy.lifetimeMs(tokens)).toBe(YEAR_MS)
    expect(RefreshPolicy.make({ jitterFraction: 0 }).refreshAt(tokens, 0)).toBe(NOW + YEAR_MS - 60_000)
  })
})

describe("absurd lifetimes from a real token endpoint", { timeout: 30_000 }, () => {
  let huge: Sandbox
  let sb: Sandbox
  const pool = clientPool()
  beforeAll(async () => {
    ;[huge, sb] = await Promise.all([
      startSandbox({
        consent: "approve",
        expiresInAsString: true,
        accessTokenTtlSeconds: { cryptofuse: 1e13, cryptohopper: 2 ** 63 - 1 },
      }),
      startSandbox({ consent: "approve" }),
    ])
  })
  afterEach(async () => {
    sb.faults.clear()
    sb.stats.reset()
    huge.stats.reset()
    await pool.disposeAll()
  })
  afterAll(() => Promise.all([huge.stop(), sb.stop()]))

  it("caches a client-credentials token that lives 1e13 seconds instead of requesting one per call", async () => {
    const c = pool.make(fuseProvider(huge, { scopes: ["read"] }))
    const first = await c.getAccessToken()
    for (let i = 0; i < 20; i++) expect(Redacted.value(await c.getAccessToken())).toBe(Redacted.value(first))
    expect(huge.stats.tokenRequests("cryptofuse")).toBe(1)
  })

  it("keeps a user session with a 2^63-1 lifetime without spending its refresh token on every call", async () => {
    const c = pool.make(hopperProvider(huge))
    const tokens = await login(c, "uma")
    expect(Number.isNaN(tokens.expiresAt!.getTime())).toBe(false)
    huge.stats.reset()
    for (let i = 0; i < 20; i++) await c.getAccessToken({ session: "uma" })
    expect(huge.stats.tokenRequests("cryptohopper")).toBe(0)
  })

  it("serves a token with a zero or negative lifetime from cache, as one whose lifetime is unknown", async () => {
    for (const expiresIn of [0, -60]) {
      const c = pool.make(fuseProvider(sb, { scopes: ["read"] }))
      sb.stats.reset()
      sb.faults.next("cryptofuse.token", {
        kind: "status",
        status: 200,
        body: JSON.stringify({
          access_token: `lifetime${expiresIn}`,
          token_type: "Bearer",
          expires_in: expiresIn,
        }),
      })
      expect(Redacted.value(await c.getAccessToken())).toBe(`lifetime${expiresIn}`)
      expect(Redacted.value(await c.getAccessToken())).toBe(`lifetime${expiresIn}`)
      expect(sb.stats.tokenRequests("cryptofuse")).toBe(1)
    }
  })
})
