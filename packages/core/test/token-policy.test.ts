// The refresh point and the session keys: pure functions, so plain inputs and no server.
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { ConfigError, Providers, RefreshPolicy, SessionKey, type TokenSet } from "../src/index.js"
import { replayableBody, tokenRefused } from "../src/internal/apiRequest.js"

const T0 = Date.UTC(2030, 0, 1)

const tokens = (expiresInSeconds: number | string | undefined, expiresAt?: number): TokenSet => ({
  accessToken: Redacted.make("access"),
  tokenType: "Bearer",
  expiresAt:
    expiresAt !== undefined
      ? new Date(expiresAt)
      : expiresInSeconds === undefined
        ? undefined
        : new Date(T0 + Number(expiresInSeconds) * 1000),
  refreshToken: undefined,
  scopes: [],
  raw: expiresInSeconds === undefined ? {} : { expires_in: expiresInSeconds },
})

describe("RefreshPolicy", () => {
  it("renews a long-lived token the default 60 seconds before it expires", () => {
    const policy = RefreshPolicy.make({ jitterFraction: 0 })
    expect(policy.refreshAt(tokens(3600), 0)).toBe(T0 + 3600_000 - 60_000)
  })

  it("caps the skew to half the lifetime of a short-lived token, so a fresh token is not already due", () => {
    const policy = RefreshPolicy.make({ jitterFraction: 0 })
    expect(policy.refreshAt(tokens(30), 0)).toBe(T0 + 15_000)
    expect(policy.refreshAt(tokens(3), 0)).toBe(T0 + 1_500)
  })

  it("reads a lifetime sent as a numeric string, as Cryptohopper's docs show it", () => {
    const policy = RefreshPolicy.make({ jitterFraction: 0, maxSkewFraction: 0.25 })
    expect(policy.refreshAt(tokens("40"), 0)).toBe(T0 + 30_000)
  })

  it("applies the plain skew when the lifetime is unknown", () => {
    const policy = RefreshPolicy.make({ skewMs: 5_000, jitterFraction: 0 })
    const handmade = { ...tokens(undefined, T0 + 20_000), raw: {} }
    expect(policy.refreshAt(handmade, 0)).toBe(T0 + 15_000)
  })

  it("never renews a token that does not expire", () => {
    expect(RefreshPolicy.defaultPolicy.refreshAt(tokens(undefined), 0.3)).toBe(Number.POSITIVE_INFINITY)
  })

  it("spreads instances over a band of at most the jitter fraction of the skew", () => {
    const policy = RefreshPolicy.make({ skewMs: 10_000, jitterFraction: 0.2 })
    const expiry = T0 + 3600_000
    const early = policy.refreshAt(tokens(3600), 0)
    const late = policy.refreshAt(tokens(3600), 0.999)
    expect(early).toBe(expiry - 10_000)
    expect(late).toBeGreaterThan(early)
    expect(late).toBeLessThanOrEqual(expiry - 8_000)
  })

  it("refuses settings out of range with ConfigError", () => {
    expect(() => RefreshPolicy.make({ skewMs: -1 })).toThrow(ConfigError)
    expect(() => RefreshPolicy.make({ maxSkewFraction: 0.9 })).toThrow(ConfigError)
    expect(() => RefreshPolicy.make({ jitterFraction: Number.NaN })).toThrow(ConfigError)
  })
})

describe("SessionKey", () => {
  const fuse = Providers.cryptofuse({ clientId: "app", clientSecret: "s" })

  it("gives one client-credentials key to the same scopes in any order and repetition", () => {
    expect(SessionKey.of(fuse, { scopes: ["write", "read"] })).toBe(
      SessionKey.of(fuse, { scopes: ["read", "write", "read"] }),
    )
    expect(SessionKey.of(fuse, { scopes: ["read"] })).not.toBe(
      SessionKey.of(fuse, { scopes: ["read", "write"] }),
    )
  })

  it("keys a user's session by the caller's key, apart from the client's own token", () => {
    expect(SessionKey.of(fuse, { session: "user-42" })).toBe("cryptofuse:app:user:user-42")
    expect(SessionKey.of(fuse, {})).toBe("cryptofuse:app:cc:")
  })

  it("keeps clients apart even when an id contains the separator", () => {
    const odd = Providers.cryptofuse({ clientId: "app:user", clientSecret: "s" })
    expect(SessionKey.of(odd, { scopes: ["x"] })).not.toBe(SessionKey.of(fuse, { session: "cc:x" }))
  })

  it("refuses an empty session key with ConfigError", () => {
    expect(() => SessionKey.of(fuse, { session: "" })).toThrow(ConfigError)
  })

  it("fingerprints a key without spelling out the session", () => {
    const key = SessionKey.of(fuse, { session: "alice@example.com" })
    const print = SessionKey.fingerprint(key)
    expect(print).toMatch(/^[0-9a-f]{8}$/)
    expect(print).toBe(SessionKey.fingerprint(key))
    expect(print).not.toBe(SessionKey.fingerprint(SessionKey.of(fuse, { session: "bob@example.com" })))
  })
})

describe("fetch helpers", () => {
  it("treats a 401 and an invalid_token challenge on another status as a refused token", () => {
    expect(tokenRefused(new Response(null, { status: 401 }))).toBe(true)
    expect(
      tokenRefused(
        new Response(null, { status: 400, headers: { "www-authenticate": 'Bearer error="invalid_token"' } }),
      ),
    ).toBe(true)
    expect(
      tokenRefused(
        new Response(null, {
          status: 403,
          headers: { "www-authenticate": 'Bearer error="insufficient_scope"' },
        }),
      ),
    ).toBe(false)
    expect(tokenRefused(new Response(null, { status: 403 }))).toBe(false)
  })

  it("replays bodies fetch can serialise again, never a stream", () => {
    for (const body of [
      undefined,
      null,
      "x",
      new URLSearchParams("a=1"),
      new Blob(["x"]),
      new ArrayBuffer(1),
      new Uint8Array(1),
      new FormData(),
    ]) {
      expect(replayableBody(body)).toBe(true)
    }
    expect(replayableBody(new ReadableStream())).toBe(false)
  })
})
