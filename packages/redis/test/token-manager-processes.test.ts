// Core's token lifecycle across Node processes sharing one Redis: each child process is an
// instance of an app (createOAuthClient over redisStores); the sandbox counts the token requests.
import { fork, type ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import { createOAuthClient, Providers, SessionKey, type OAuthClient } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import { redisStores } from "../src/index.js"
import { rawClient, uniquePrefix } from "./support/redis.js"

const url = inject("redisUrl")
const fixture = fileURLToPath(new URL("./fixtures/tokenClient.mjs", import.meta.url))
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url))

const HOPPER = {
  clientId: "hopper-app",
  clientSecret: "hopper-secret",
  redirectUri: "http://127.0.0.1/callback",
}
const FUSE = { clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars" }

type Reply = { tokens?: Array<string>; statuses?: Array<number>; errors: Array<string> }

/** A child process running one app instance; `ask` sends a command and waits for its answer. */
const instance = async (prefix: string, provider: { kind: string; options: Record<string, unknown> }) => {
  const child: ChildProcess = fork(fixture, [url, prefix, JSON.stringify(provider)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  })
  const next = <A>() =>
    new Promise<A>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`instance exited with ${code} before answering`))
      child.once("exit", onExit)
      child.once("message", (m) => {
        child.off("exit", onExit)
        resolve(m as A)
      })
    })
  await next<{ ready: true }>()
  return {
    child,
    ask: (command: Record<string, unknown>) => {
      const answer = next<Reply>()
      child.send(command)
      return answer
    },
    stop: async () => {
      if (child.exitCode !== null || !child.connected) return
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.send({ run: "exit" })
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
      if (child.exitCode === null) child.kill("SIGKILL")
    },
  }
}

describe("TokenManager across Node processes sharing Redis", { timeout: 60_000 }, () => {
  let sandbox: Sandbox
  let rotating: Sandbox
  const cleanups: Array<() => Promise<unknown>> = []
  beforeAll(async () => {
    ;[sandbox, rotating] = await Promise.all([
      startSandbox({ consent: "approve" }),
      startSandbox({ consent: "approve", rotateRefreshTokens: true }),
    ])
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  afterAll(async () => {
    await Promise.all([sandbox.stop(), rotating.stop()])
  })

  const instances = async (
    count: number,
    prefix: string,
    provider: { kind: string; options: Record<string, unknown> },
  ) => {
    expect(existsSync(dist), "build the package first: pnpm --filter @grantflow/redis build").toBe(true)
    const all = await Promise.all(Array.from({ length: count }, () => instance(prefix, provider)))
    cleanups.push(() => Promise.all(all.map((i) => i.stop())))
    return all
  }

  it("has 4 processes x 250 concurrent callers on a cold cache share one client-credentials token request", async () => {
    const prefix = uniquePrefix("tm-herd")
    const procs = await instances(4, prefix, {
      kind: "cryptofuse",
      options: { ...FUSE, baseUrl: sandbox.cryptofuse.baseUrl, scopes: ["read"] },
    })
    sandbox.stats.reset()
    const replies = await Promise.all(procs.map((p) => p.ask({ run: "getAccessToken", callers: 250 })))
    expect(replies.flatMap((r) => r.errors)).toEqual([])
    expect(sandbox.stats.tokenRequests("cryptofuse")).toBe(1)
    expect(new Set(replies.flatMap((r) => r.tokens)).size).toBe(1)
  })

  it("refreshes a rotating user session once per expiry across 4 processes, and loses no session", async () => {
    const prefix = uniquePrefix("tm-rotation")
    const options = {
      ...HOPPER,
      endpoints: {
        authorization: rotating.cryptohopper.authorizationEndpoint,
        token: rotating.cryptohopper.tokenEndpoint,
        revocation: rotating.cryptohopper.revocationEndpoint,
        api: rotating.cryptohopper.apiBase,
      },
    }
    // The user signs in on a fifth instance (this process).
    const provider = Providers.cryptohopper({ ...options, allowInsecureHttp: true })
    const redis = await rawClient(url)
    const stores = redisStores(redis, { prefix })
    const web: OAuthClient = createOAuthClient(provider, { ...stores })
    cleanups.push(
      () => redis.close(),
      () => stores.refreshLock.close(),
      () => web.dispose(),
    )
    const { url: authorize } = await web.authorizationUrl({ scopes: ["read", "user"] })
    const consent = await fetch(authorize, { redirect: "manual" })
    const login = await web.handleCallback(consent.headers.get("location")!, { session: "user-1" })

    const procs = await instances(4, prefix, { kind: "cryptohopper", options })
    const key = SessionKey.of(provider, { session: "user-1" })
    let previous = Redacted.value(login.refreshToken!)
    for (let round = 0; round < 3; round++) {
      rotating.expireAccessTokens()
      rotating.stats.reset()
      const replies = await Promise.all(
        procs.map((p) => p.ask({ run: "fetch", path: "/user/get", session: "user-1", callers: 50 })),
      )
      expect(replies.flatMap((r) => r.errors)).toEqual([])
      expect(replies.flatMap((r) => r.statuses)).toEqual(Array.from({ length: 200 }, () => 200))
      expect(rotating.stats.tokenRequests("cryptohopper")).toBe(1)
      const now = Option.getOrThrow(await Effect.runPromise(stores.tokenStore.get(key)))
      expect(Redacted.value(now.refreshToken!)).not.toBe(previous)
      previous = Redacted.value(now.refreshToken!)
    }
    // What Redis holds is the live refresh token: the server takes it.
    await expect(web.refresh(previous)).resolves.toMatchObject({ tokenType: "Bearer" })
  })
})
