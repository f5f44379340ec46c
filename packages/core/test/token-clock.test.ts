// Time as the lifecycle reads it, on the TestClock: freshness judged when it matters, expiry
// counted from when the request was sent (against the sandbox).
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  HttpTransport,
  MemoryRefreshLock,
  MemoryTokenStore,
  OAuth,
  Providers,
  TokenManager,
  TokenStore,
  type TokenSet,
} from "../src/index.js"
import { fuseProvider } from "./helpers/sandbox.js"

const hopper = Providers.cryptohopper({
  clientId: "app",
  clientSecret: "s",
  redirectUri: "https://app.example/cb",
})

describe("freshness and the clock", () => {
  it("does not hand out a token that expired while the store was being read", async () => {
    const inner = MemoryTokenStore.make()
    // A store that takes 200 s (of TestClock time) to answer, like Redis on a stalled machine.
    const slow = TokenStore.of({ ...inner, get: (key) => Effect.delay(inner.get(key), "200 seconds") })
    const layer = TokenManager.layer({ maxCachedSessions: 0 }).pipe(
      Layer.provideMerge(
        Layer.mergeAll(Layer.succeed(TokenStore, slow), MemoryRefreshLock.layer(), HttpTransport.layer()),
      ),
    )
    const tokens: TokenSet = {
      accessToken: Redacted.make("lives-100-seconds"),
      tokenType: "Bearer",
      // TestClock starts at 0: valid for 100 s, and nothing to renew it with.
      expiresAt: new Date(100_000),
      refreshToken: undefined,
      scopes: [],
      raw: {},
    }
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        yield* OAuth.setSession(hopper, "ada", tokens)
        const call = yield* Effect.forkChild(OAuth.getAccessToken(hopper, { session: "ada" }))
        yield* TestClock.adjust("200 seconds")
        // The renewal reads the store again under the lock.
        yield* TestClock.adjust("200 seconds")
        return yield* Fiber.await(call)
      }).pipe(Effect.provide(layer), Effect.provide(TestClock.layer())),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
    expect(error).toMatchObject({ _tag: "LoginRequired", reason: "no-refresh-token" })
  })
})

describe("expiry counted from the request", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve", accessTokenTtlSeconds: { cryptofuse: 60 } })
  })
  afterAll(() => sb.stop())

  it("counts expires_in from when the token request was sent, not from when the answer arrived", async () => {
    // The real transport to the sandbox; the answer "takes" 20 s of TestClock time to arrive.
    const real = HttpTransport.make()
    const slowAnswer = HttpTransport.of({
      request: (request) => Effect.tap(real.request(request), () => TestClock.adjust("20 seconds")),
    })
    const tokens = await Effect.runPromise(
      OAuth.clientCredentials(fuseProvider(sb, { scopes: ["read"] })).pipe(
        Effect.provide(Layer.succeed(HttpTransport, slowAnswer)),
        Effect.provide(TestClock.layer()),
      ),
    )
    // Sent at TestClock 0 with a 60 s lifetime: it expires at 60 s, not 80 s.
    expect(tokens.expiresAt?.getTime()).toBe(60_000)
  })
})
