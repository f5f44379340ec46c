import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import {
  ConfigError,
  MemoryStateStore,
  MemoryTokenStore,
  Providers,
  createOAuthClient,
  encodePending,
  encodeTokenSet,
  encryptedStateStore,
  encryptedTokenStore,
  generateEncryptionKey,
  type PendingAuthorization,
  type TokenSet,
  type TokenStore,
} from "../src/index.js"

const k1 = { id: "k1", key: generateEncryptionKey() }
const k2 = {
  id: "k2",
  key: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
}

const tokens: TokenSet = {
  accessToken: Redacted.make("AT-secret-access-0123456789"),
  tokenType: "Bearer",
  expiresAt: new Date(Date.now() + 3_600_000),
  refreshToken: Redacted.make("RT-secret-refresh-0123456789"),
  scopes: ["read", "trade"],
  idToken: Redacted.make("IDT-secret-id-0123456789"),
  raw: { account: "acct-4711" },
}

/** A plain inner store whose records we can read and rewrite, like a Redis a thief can see. */
const spyStore = () => {
  const inner = MemoryTokenStore.make()
  const raw = (key: string) =>
    Effect.runPromise(inner.get(key)).then((o) => (Option.isSome(o) ? encodeTokenSet(o.value) : undefined))
  return { inner, raw }
}

const storeError = async (effect: Effect.Effect<unknown, unknown>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error as { _tag: string; detail?: string }
  expect(error._tag).toBe("StoreError")
  return error
}

describe("encryptedTokenStore", () => {
  it("hands back the token set it stored while the inner store holds none of its secrets or fields", async () => {
    const { inner, raw } = spyStore()
    const store = encryptedTokenStore(inner, { keys: [k1] })
    await Effect.runPromise(store.set("hopper:app:user:1", tokens))

    const back = Option.getOrThrow(await Effect.runPromise(store.get("hopper:app:user:1")))
    expect(Redacted.value(back.accessToken)).toBe("AT-secret-access-0123456789")
    expect(Redacted.value(back.refreshToken!)).toBe("RT-secret-refresh-0123456789")
    expect(Redacted.value(back.idToken!)).toBe("IDT-secret-id-0123456789")
    expect(back.scopes).toEqual(["read", "trade"])
    expect(back.raw).toEqual({ account: "acct-4711" })
    expect(back.expiresAt?.getTime()).toBe(tokens.expiresAt?.getTime())

    const stored = (await raw("hopper:app:user:1"))!
    for (const secret of ["AT-secret", "RT-secret", "IDT-secret", "acct-4711", "trade"])
      expect(stored).not.toContain(secret)
    expect(stored).toMatch(/"accessToken":"gf1\.k1\./)
  })

  it("keeps expiry and the presence of a refresh token readable for the inner store's own expiry", async () => {
    const { inner } = spyStore()
    const store = encryptedTokenStore(inner, { keys: [k1] })
    await Effect.runPromise(store.set("s", { ...tokens, refreshToken: undefined }))
    const seen = Option.getOrThrow(await Effect.runPromise(inner.get("s")))
    expect(seen.expiresAt?.getTime()).toBe(tokens.expiresAt?.getTime())
    expect(seen.refreshToken).toBeUndefined()
    await Effect.runPromise(store.set("s", tokens))
    expect(Option.getOrThrow(await Effect.runPromise(inner.get("s"))).refreshToken).toBeDefined()
  })

  it("writes with the first key and reads records written with any listed key", async () => {
    const { inner, raw } = spyStore()
    await Effect.runPromise(encryptedTokenStore(inner, { keys: [k1] }).set("s", tokens))
    const rotated = encryptedTokenStore(inner, { keys: [k2, k1] })
    const read = Option.getOrThrow(await Effect.runPromise(rotated.get("s")))
    expect(Redacted.value(read.refreshToken!)).toBe("RT-secret-refresh-0123456789")
    await Effect.runPromise(rotated.set("s", read))
    expect(await raw("s")).toMatch(/"accessToken":"gf1\.k2\./)
    const onlyNew = encryptedTokenStore(inner, { keys: [k2] })
    expect(Option.isSome(await Effect.runPromise(onlyNew.get("s")))).toBe(true)
  })

  it("fails with StoreError for a record sealed with a key that is no longer listed", async () => {
    const { inner } = spyStore()
    await Effect.runPromise(encryptedTokenStore(inner, { keys: [k1] }).set("s", tokens))
    const e = await storeError(encryptedTokenStore(inner, { keys: [k2] }).get("s"))
    expect(e.detail).toContain("unknown key id k1")
  })

  it("fails with StoreError for a tampered record, a record moved to another session, and a plain one", async () => {
    const { inner } = spyStore()
    const store = encryptedTokenStore(inner, { keys: [k1] })
    await Effect.runPromise(store.set("alice", tokens))
    const sealed = Option.getOrThrow(await Effect.runPromise(inner.get("alice")))
    const text = Redacted.value(sealed.accessToken)
    const flipped = text.slice(0, -2) + (text.at(-2) === "A" ? "B" : "A") + text.at(-1)
    await Effect.runPromise(inner.set("alice", { ...sealed, accessToken: Redacted.make(flipped) }))
    expect((await storeError(store.get("alice"))).detail).toContain("integrity")

    await Effect.runPromise(inner.set("mallory", sealed))
    expect((await storeError(store.get("mallory"))).detail).toContain("integrity")

    await Effect.runPromise(inner.set("plain", tokens))
    expect((await storeError(store.get("plain"))).detail).toContain("not encrypted")
  })

  it("refuses malformed keys with a ConfigError when it is built", () => {
    const bad = [
      [],
      [{ id: "k", key: "too-short" }],
      [{ id: "has.dot", key: k1.key }],
      [k1, { ...k2, id: "k1" }],
      [{ id: "k", key: new Uint8Array(16) }],
    ]
    for (const keys of bad)
      expect(() => encryptedTokenStore(MemoryTokenStore.make(), { keys })).toThrow(ConfigError)
  })

  it("never shows a key or token in the store's errors", async () => {
    const { inner } = spyStore()
    await Effect.runPromise(encryptedTokenStore(inner, { keys: [k1] }).set("s", tokens))
    const e = await storeError(encryptedTokenStore(inner, { keys: [{ id: "k1", key: k2.key }] }).get("s"))
    const rendered = `${inspect(e)} ${JSON.stringify(e)} ${String(e)}`
    for (const secret of [k1.key, k2.key, "AT-secret", "RT-secret"]) expect(rendered).not.toContain(secret)
  })

  it("serves a client's sessions: what setSession stored comes back from getAccessToken", async () => {
    const { inner, raw } = spyStore()
    const written: Array<string> = []
    const spy: TokenStore["Service"] = { ...inner, set: (key, t) => (written.push(key), inner.set(key, t)) }
    const client = createOAuthClient(Providers.cryptofuse({ clientId: "c", clientSecret: "s" }), {
      tokenStore: encryptedTokenStore(spy, { keys: [k1] }),
    })
    try {
      await client.setSession("alice", tokens)
      expect(Redacted.value(await client.getAccessToken({ session: "alice" }))).toBe(
        "AT-secret-access-0123456789",
      )
      expect(written).toHaveLength(1)
      expect(await raw(written[0]!)).toMatch(/^\{"accessToken":"gf1\./)
    } finally {
      await client.dispose()
    }
  })
})

describe("encryptedStateStore", () => {
  const pending: PendingAuthorization = {
    state: "state-1",
    providerId: "cryptohopper",
    codeVerifier: Redacted.make("verifier-secret-0123456789abcdef"),
    redirectUri: "http://127.0.0.1/cb",
    scopes: ["read"],
    createdAt: Date.now(),
    expiresAt: Date.now() + 60_000,
  }

  it("keeps the PKCE verifier sealed in the inner store and hands it back on take", async () => {
    const inner = MemoryStateStore.make()
    let seen: PendingAuthorization | undefined
    const spy = { ...inner, put: (p: PendingAuthorization) => ((seen = p), inner.put(p)) }
    const store = encryptedStateStore(spy, { keys: [k1] })
    await Effect.runPromise(store.put(pending))
    expect(encodePending(seen!)).not.toContain("verifier-secret")
    const taken = Option.getOrThrow(await Effect.runPromise(store.take("state-1")))
    expect(Redacted.value(taken.codeVerifier!)).toBe("verifier-secret-0123456789abcdef")
  })

  it("fails take with StoreError when the sealed verifier was swapped in from another request", async () => {
    const inner = MemoryStateStore.make()
    const store = encryptedStateStore(inner, { keys: [k1] })
    await Effect.runPromise(store.put(pending))
    const sealed = Option.getOrThrow(await Effect.runPromise(inner.take("state-1")))
    await Effect.runPromise(inner.put({ ...sealed, state: "state-2" }))
    expect((await storeError(store.take("state-2"))).detail).toContain("integrity")
  })
})
