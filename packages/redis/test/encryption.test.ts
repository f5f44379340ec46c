import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { ConfigError, createOAuthClient, generateEncryptionKey, Providers, TokenStore } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import { RedisStores } from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"

const url = inject("redisUrl")

describe("RedisStores.layer with encryptionKeys", () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await startSandbox({ consent: "approve" })
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  /** Every string value under `prefix`, as Redis holds it. */
  const rawValues = async (prefix: string) => {
    const raw = await rawClient(url)
    try {
      const keys = await raw.keys(`${prefix}*`)
      return await Promise.all(keys.map(async (key) => ({ key, value: String(await raw.get(key)) })))
    } finally {
      await raw.close()
    }
  }

  it("keeps no token and no PKCE verifier in Redis through a whole login, and still serves the session", async () => {
    const prefix = uniquePrefix("encrypted")
    const provider = Providers.cryptohopper({
      clientId: "hopper-app",
      clientSecret: "hopper-secret",
      redirectUri: "http://127.0.0.1/callback",
      endpoints: {
        authorization: sandbox.cryptohopper.authorizationEndpoint,
        token: sandbox.cryptohopper.tokenEndpoint,
        revocation: sandbox.cryptohopper.revocationEndpoint,
        api: sandbox.cryptohopper.apiBase,
      },
      allowInsecureHttp: true,
    })
    const stores = RedisStores.layer({
      url,
      prefix,
      encryptionKeys: [{ id: "k1", key: generateEncryptionKey() }],
    })
    const client = createOAuthClient(provider, {
      tokenStore: stores,
      stateStore: stores,
      refreshLock: stores,
    })
    try {
      const request = await client.authorizationUrl()
      const pendingInRedis = await rawValues(prefix)
      expect(pendingInRedis.map((r) => r.key)).toEqual([`${prefix}state:${request.state}`])
      expect(pendingInRedis[0]!.value).toMatch(/"codeVerifier":"gf1\.k1\./)

      const consent = await fetch(request.url, { redirect: "manual" })
      const tokens = await client.handleCallback(consent.headers.get("location")!, { session: "user-1" })
      const values = await rawValues(prefix)
      expect(values.some((r) => r.key.includes("token:"))).toBe(true)
      const secrets = [tokens.accessToken, tokens.refreshToken!].map((t) => Redacted.value(t))
      for (const { value } of values) for (const secret of secrets) expect(value).not.toContain(secret)

      expect(Redacted.value(await client.getAccessToken({ session: "user-1" }))).toBe(secrets[0])
    } finally {
      await client.dispose()
    }
  })

  it("fails with StoreError for a session whose record was tampered with in Redis", async () => {
    const prefix = uniquePrefix("tampered")
    const layer = RedisStores.layer({
      url,
      prefix,
      encryptionKeys: [{ id: "k1", key: generateEncryptionKey() }],
    })
    const tokens = {
      accessToken: Redacted.make("at-encrypted-redis"),
      tokenType: "Bearer",
      expiresAt: new Date(Date.now() + 3_600_000),
      refreshToken: Redacted.make("rt-encrypted-redis"),
      scopes: [],
      raw: {},
    }
    await Effect.runPromise(TokenStore.use((s) => s.set("user:1", tokens)).pipe(Effect.provide(layer)))
    const raw = await rawClient(url)
    try {
      const value = String(await raw.get(`${prefix}token:user:1`))
      expect(value).not.toContain("at-encrypted-redis")
      await raw.set(
        `${prefix}token:user:1`,
        value.replace(
          /"accessToken":"(gf1\.k1\.[^.]+\.)(.)/,
          (_, head, c) => `"accessToken":"${head}${c === "A" ? "B" : "A"}`,
        ),
      )
    } finally {
      await raw.close()
    }
    const exit = await Effect.runPromiseExit(
      TokenStore.use((s) => s.get("user:1")).pipe(Effect.provide(layer)),
    )
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toContain("StoreError")
  })

  it("fails to build with a ConfigError for a key that is not 32 bytes", async () => {
    const layer = RedisStores.layer({
      url,
      prefix: uniquePrefix("badkey"),
      encryptionKeys: [{ id: "k1", key: "c2hvcnQ=" }],
    })
    const exit = await Effect.runPromiseExit(TokenStore.use((s) => s.get("x")).pipe(Effect.provide(layer)))
    expect(exit._tag).toBe("Failure")
    if (exit._tag === "Failure") {
      const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
      expect(error).toBeInstanceOf(ConfigError)
    }
  })
})
