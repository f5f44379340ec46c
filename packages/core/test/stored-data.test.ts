// Stored data is untrusted input: token sets and pending authorizations are decoded with a
// versioned schema (bad data -> StoreError, never quoted), and the Promise-shaped store adapter
// runs a real client against the sandbox.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  ConfigError,
  StoreError,
  TokenStore,
  type TokenSetJson,
  createOAuthClient,
  decodePending,
  decodeTokenSet,
  encodePending,
  encodeTokenSet,
  type PendingAuthorization,
  type TokenSet,
} from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { clientPool, expireLocally, login } from "./helpers/tokenLifecycle.js"

const SECRET = "AT-very-secret-0123456789"

const storeErrorOf = (f: () => unknown): StoreError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError)
    return e as StoreError
  }
  throw new Error("expected a StoreError")
}

describe("decodeTokenSet", () => {
  it("reads a minimal record with empty scopes and raw instead of undefined", () => {
    const t = decodeTokenSet('{"accessToken":"x","tokenType":"Bearer"}')
    expect(t.scopes).toEqual([])
    expect(t.raw).toEqual({})
    expect(t.expiresAt).toBeUndefined()
    expect(t.refreshToken).toBeUndefined()
    expect(Redacted.value(t.accessToken)).toBe("x")
  })

  it("round-trips what encodeTokenSet writes, which carries format version 1", () => {
    const tokens: TokenSet = {
      accessToken: Redacted.make(SECRET),
      tokenType: "Bearer",
      expiresAt: new Date(1_800_000_000_000),
      refreshToken: Redacted.make("RT-1"),
      scopes: ["read", "user"],
      idToken: Redacted.make("ID-1"),
      raw: { extra: 1 },
    }
    const encoded = encodeTokenSet(tokens)
    expect(JSON.parse(encoded)).toMatchObject({ v: 1 })
    const back = decodeTokenSet(encoded)
    expect(Redacted.value(back.accessToken)).toBe(SECRET)
    expect(Redacted.value(back.refreshToken!)).toBe("RT-1")
    expect(Redacted.value(back.idToken!)).toBe("ID-1")
    expect(back.expiresAt?.getTime()).toBe(1_800_000_000_000)
    expect(back.scopes).toEqual(["read", "user"])
    expect(back.raw).toEqual({ extra: 1 })
  })

  it.each([
    ["not JSON", `{"accessToken":"${SECRET}"`],
    ["no access token", '{"tokenType":"Bearer"}'],
    ["an empty access token", '{"accessToken":"","tokenType":"Bearer"}'],
    ["a numeric access token", '{"accessToken":42,"tokenType":"Bearer"}'],
    ["scopes that are not a list", `{"accessToken":"${SECRET}","tokenType":"Bearer","scopes":"read"}`],
    ["an expiry that is not a number", `{"accessToken":"${SECRET}","tokenType":"Bearer","expiresAt":"soon"}`],
    ["an infinite expiry", `{"accessToken":"${SECRET}","tokenType":"Bearer","expiresAt":1e999}`],
    ["an array", `["${SECRET}"]`],
    ["null", "null"],
  ])("fails with StoreError, quoting nothing, for %s", (_, stored) => {
    const e = storeErrorOf(() => decodeTokenSet(stored))
    expect(e.operation).toBe("TokenStore.get")
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(SECRET)
  })

  it("names an unknown format version instead of guessing at it", () => {
    const e = storeErrorOf(() => decodeTokenSet(`{"v":2,"accessToken":"${SECRET}","tokenType":"Bearer"}`))
    expect(e.detail).toMatch(/format version 2/)
  })
})

describe("decodePending", () => {
  const pending: PendingAuthorization = {
    state: "st-1",
    providerId: "cryptohopper",
    codeVerifier: Redacted.make("verifier-secret"),
    redirectUri: "http://127.0.0.1/callback",
    scopes: ["read"],
    createdAt: 1_000,
    expiresAt: 2_000,
  }

  it("round-trips what encodePending writes (format version 1), and reads a record without a version", () => {
    const encoded = encodePending(pending)
    expect(JSON.parse(encoded)).toMatchObject({ v: 1 })
    const back = decodePending(encoded)
    expect(back).toMatchObject({ state: "st-1", scopes: ["read"], createdAt: 1_000, expiresAt: 2_000 })
    expect(Redacted.value(back.codeVerifier!)).toBe("verifier-secret")
    const { v: _, ...legacy } = JSON.parse(encoded)
    expect(decodePending(JSON.stringify(legacy)).state).toBe("st-1")
  })

  it.each([
    ["not JSON", "{"],
    ["no state", '{"providerId":"x","createdAt":1,"expiresAt":2}'],
    ["a string expiry", '{"state":"s","providerId":"x","createdAt":1,"expiresAt":"2"}'],
    [
      "a verifier that is not a string",
      '{"state":"s","providerId":"x","codeVerifier":1,"createdAt":1,"expiresAt":2}',
    ],
    ["an unknown version", '{"v":9,"state":"s","providerId":"x","createdAt":1,"expiresAt":2}'],
  ])("fails with StoreError for %s", (_, stored) => {
    expect(storeErrorOf(() => decodePending(stored)).operation).toBe("StateStore.take")
  })
})

describe("TokenStore.fromPromise", { timeout: 20_000 }, () => {
  let sb: Sandbox
  const pool = clientPool()
  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve", rotateRefreshTokens: true })
  })
  afterEach(async () => {
    sb.stats.reset()
    await pool.disposeAll()
  })
  afterAll(() => sb.stop())

  /** A Promise-shaped store over a Map of plain JSON, as a file or a database would hold it. */
  const jsonStore = () => {
    const data = new Map<string, TokenSetJson>()
    const store = TokenStore.fromPromise(
      {
        get: async (key) => data.get(key),
        set: async (key, tokens) => {
          data.set(key, JSON.parse(JSON.stringify(tokens)))
        },
        delete: async (key) => {
          data.delete(key)
        },
      },
      { processLocal: true },
    )
    return { data, store }
  }

  it("keeps a user's session as plain JSON and refreshes through it (the rotated set written back)", async () => {
    const { data, store } = jsonStore()
    const c = pool.make(hopperProvider(sb), { tokenStore: store })
    const tokens = await login(c, "wren")
    const [key] = [...data.keys()]
    expect(data.get(key!)).toMatchObject({ v: 1, accessToken: Redacted.value(tokens.accessToken) })
    await expireLocally(c, "wren", tokens)
    const renewed = await c.getAccessToken({ session: "wren" })
    expect(data.get(key!)!.accessToken).toBe(Redacted.value(renewed))
    expect(data.get(key!)!.refreshToken).not.toBe(Redacted.value(tokens.refreshToken!))
    // A second client on the same data (a restart) uses the stored session without a login.
    const again = pool.make(hopperProvider(sb), { tokenStore: store })
    expect((await again.fetch("/user/get", { session: "wren" })).status).toBe(200)
  })

  it("fails with StoreError, not a crash, when the stored JSON is not a token set", async () => {
    const c = pool.make(hopperProvider(sb), {
      tokenStore: TokenStore.fromPromise(
        { get: async () => ({ accessToken: SECRET }) as never, set: () => {}, delete: () => {} },
        { processLocal: true },
      ),
    })
    const e = await rejectionOf(c.getAccessToken({ session: "xena" }))
    expect(e).toMatchObject({ _tag: "StoreError", operation: "TokenStore.get" })
    expect(JSON.stringify(e) + e.message).not.toContain(SECRET)
  })

  it("turns a rejected promise into StoreError with the error's code", async () => {
    const c = pool.make(fuseProvider(sb, { scopes: ["read"] }), {
      tokenStore: TokenStore.fromPromise(
        {
          get: async () => {
            throw Object.assign(new Error(`disk says ${SECRET}`), { code: "EIO" })
          },
          set: () => {},
          delete: () => {},
        },
        { processLocal: true },
      ),
    })
    const e = await rejectionOf(c.getAccessToken())
    expect(e).toMatchObject({ _tag: "StoreError", operation: "TokenStore.get", detail: "EIO" })
    expect(e.message).not.toContain(SECRET)
  })

  it("counts as shared unless it says processLocal: then the in-memory lock is refused", () => {
    const shared = TokenStore.fromPromise({ get: () => undefined, set: () => {}, delete: () => {} })
    expect(() => createOAuthClient(fuseProvider(sb), { tokenStore: shared })).toThrow(ConfigError)
  })
})
