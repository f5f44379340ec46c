// After dispose(): every call rejects with a typed error and nothing is sent, the cached path
// included; calls in flight reject typed too. Against the sandbox, counting what reaches it.
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cause from "effect/Cause"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { ConfigError, OAuth, SessionKey, TokenManager, createOAuthClient } from "../src/index.js"
import { fuseProvider, hopperProvider, rejectionOf } from "./helpers/sandbox.js"
import { login } from "./helpers/tokenLifecycle.js"

let sb: Sandbox

beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterEach(() => {
  sb.faults.clear()
  sb.stats.reset()
})
afterAll(() => sb.stop())

const expectDisposed = (e: unknown) => {
  expect(e).toBeInstanceOf(ConfigError)
  expect(e).toMatchObject({ _tag: "ConfigError", reason: expect.stringMatching(/^disposed/) })
}

describe("dispose()", { timeout: 30_000 }, () => {
  it("rejects a cached getAccessToken and a fetch with ConfigError, and sends no request", async () => {
    const c = createOAuthClient(fuseProvider(sb, { scopes: ["read"] }))
    await c.getAccessToken()
    expect((await c.fetch("/rates/")).status).toBe(200)
    await c.dispose()
    sb.stats.reset()
    expectDisposed(await rejectionOf(c.getAccessToken()))
    expectDisposed(await rejectionOf(c.fetch("/rates/")))
    expectDisposed(await rejectionOf(c.session().getTokenSet()))
    expect(sb.stats.requests()).toBe(0)
  })

  it("rejects every other method with the same typed error", async () => {
    const c = createOAuthClient(hopperProvider(sb))
    const tokens = await login(c, "dora")
    await c.dispose()
    sb.stats.reset()
    const calls: Array<Promise<unknown>> = [
      c.authorizationUrl(),
      c.handleCallback("?code=x&state=y"),
      c.exchangeCode("code"),
      c.clientCredentials(),
      c.refresh(tokens.refreshToken!),
      c.revoke(tokens.accessToken),
      c.getTokenSet({ session: "dora" }),
      c.setSession("dora", tokens),
      c.clearSession("dora"),
      c.session("dora").getAccessToken(),
    ]
    for (const call of calls) expectDisposed(await rejectionOf(call))
    expect(sb.stats.requests()).toBe(0)
  })

  it("rejects the callers of a renewal in progress with ConfigError instead of an untyped interruption", async () => {
    const c = createOAuthClient(fuseProvider(sb, { scopes: ["read"] }))
    sb.faults.next("cryptofuse.token", { kind: "delay", ms: 3_000 })
    const calls = Promise.allSettled([
      c.getAccessToken(),
      c.getAccessToken({ scopes: ["read"] }),
      c.fetch("/rates/"),
    ])
    while (sb.stats.tokenRequests("cryptofuse") === 0) await new Promise((r) => setTimeout(r, 5))
    await c.dispose()
    for (const r of await calls) {
      expect(r.status).toBe("rejected")
      expectDisposed((r as PromiseRejectedResult).reason)
    }
    expect(sb.stats.requests("cryptofuse.api")).toBe(0)
  })

  it("rejects a call made while the client is still starting with ConfigError", async () => {
    const c = createOAuthClient(fuseProvider(sb, { scopes: ["read"] }))
    const first = c.getAccessToken()
    await c.dispose()
    expectDisposed(await rejectionOf(first))
    expect(sb.stats.requests()).toBe(0)
  })

  it("fails Effect calls to a TokenManager whose layer was released with ConfigError, without a request", async () => {
    const runtime = ManagedRuntime.make(OAuth.layer())
    const provider = fuseProvider(sb, { scopes: ["read"] })
    // An app that keeps the service past its scope.
    const manager = await runtime.runPromise(
      Effect.gen(function* () {
        const m = yield* TokenManager
        yield* m.getAccessToken(provider)
        return m
      }),
    )
    await runtime.dispose()
    sb.stats.reset()
    const exit = await Effect.runPromiseExit(manager.getAccessToken(provider))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) expectDisposed(Option.getOrUndefined(Cause.findErrorOption(exit.cause)))
    expect(manager.peek(SessionKey.of(provider, {}))).toBeUndefined()
    expect(sb.stats.requests()).toBe(0)
  })
})
