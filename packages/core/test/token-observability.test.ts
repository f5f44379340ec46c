// Spans of the token lifecycle, recorded by a test tracer, against the sandbox.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import { OAuth, SessionKey } from "../src/index.js"
import { FUSE, HOPPER, fuseProvider, hopperProvider } from "./helpers/sandbox.js"
import { sandboxPerFile, expireLocally, login } from "./helpers/tokenLifecycle.js"

const env = sandboxPerFile({ consent: "approve" })
const pool = env.pool

const recorder = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    },
  })
  const named = (name: string) => spans.filter((s) => s.name === name)
  const attributes = (name: string) => named(name).map((s) => Object.fromEntries(s.attributes))
  return { spans, tracer, named, attributes }
}

describe("token lifecycle spans", { timeout: 30_000 }, () => {
  it("records cache miss, hit and refresh with provider, grant and outcome", async () => {
    const provider = fuseProvider(env.sb, { scopes: ["read"] })
    const rec = recorder()
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* OAuth.getAccessToken(provider)
        yield* OAuth.getAccessToken(provider)
        yield* OAuth.getAccessToken(provider, { forceRefresh: true })
      }).pipe(Effect.provide(OAuth.layer()), Effect.withTracer(rec.tracer)),
    )
    const calls = rec.attributes("OAuth.getAccessToken")
    expect(calls.map((a) => a["oauth.cache"])).toEqual(["miss", "hit", "refresh"])
    for (const a of calls) {
      expect(a).toMatchObject({
        "oauth.provider": "cryptofuse",
        "oauth.grant": "client_credentials",
        "oauth.session.kind": "client",
        "oauth.outcome": "success",
        "oauth.session.fingerprint": SessionKey.fingerprint(SessionKey.of(provider)),
      })
    }
    expect(rec.attributes("OAuth.renewToken").map((a) => a["oauth.renewal"])).toEqual(["renewed", "renewed"])
    // The token request is a child of the renewal, itself a child of the call that started it.
    const renewals = rec.named("OAuth.renewToken")
    const callers = rec.named("OAuth.getAccessToken")
    for (const r of renewals) expect(callers).toContain(Option.getOrUndefined(r.parent))
    for (const cc of rec.named("OAuth.clientCredentials"))
      expect(renewals).toContain(Option.getOrUndefined(cc.parent))
    expect(rec.attributes("OAuth.clientCredentials")).toEqual([
      expect.objectContaining({
        "oauth.provider": "cryptofuse",
        "oauth.grant": "client_credentials",
        "oauth.outcome": "success",
      }),
      expect.objectContaining({ "oauth.outcome": "success" }),
    ])
  })

  it("records the Promise client's client-credentials span when the client is given a tracer", async () => {
    // Without a tracer the Promise client turns tracing off (nobody could see its spans); with one, they are there.
    const rec = recorder()
    const c = pool.make(fuseProvider(env.sb, { scopes: ["read"] }), { tracer: rec.tracer })
    await c.clientCredentials()
    expect(rec.attributes("OAuth.clientCredentials")).toEqual([
      expect.objectContaining({ "oauth.provider": "cryptofuse", "oauth.outcome": "success" }),
    ])
  })

  it("records a failure's tag and error code as the outcome", async () => {
    const provider = fuseProvider(env.sb, { clientSecret: "wrong" })
    const rec = recorder()
    const exit = await Effect.runPromiseExit(
      OAuth.getAccessToken(provider).pipe(Effect.provide(OAuth.layer()), Effect.withTracer(rec.tracer)),
    )
    expect(exit._tag).toBe("Failure")
    expect(rec.attributes("OAuth.getAccessToken")[0]).toMatchObject({
      "oauth.outcome": "OAuthServerError:invalid_client",
    })
    expect(rec.attributes("OAuth.clientCredentials")[0]).toMatchObject({
      "oauth.outcome": "OAuthServerError:invalid_client",
    })
  })

  it("keeps every token, secret and session name out of the spans of a user session's life", async () => {
    const provider = hopperProvider(env.sb)
    const rec = recorder()
    const c = pool.make(provider, { tracer: rec.tracer })
    const session = "paula@example.com"
    const tokens = await login(c, session)
    await expireLocally(c, session, tokens)
    const renewed = await c.getAccessToken({ session })
    env.sb.expireAccessTokens()
    expect((await c.fetch("/user/get", { session })).status).toBe(200)
    const latest = await c.getAccessToken({ session })

    const refreshSpans = rec.attributes("OAuth.refresh")
    expect(refreshSpans.length).toBe(2)
    for (const a of refreshSpans) {
      expect(a).toMatchObject({
        "oauth.provider": "cryptohopper",
        "oauth.grant": "refresh_token",
        "oauth.outcome": "success",
      })
    }
    expect(rec.attributes("OAuth.exchangeCode")[0]).toMatchObject({ "oauth.grant": "authorization_code" })
    expect(rec.attributes("OAuth.getAccessToken").map((a) => a["oauth.cache"])).toContain("refresh")

    const secrets = [
      HOPPER.clientSecret,
      FUSE.clientSecret,
      session,
      Redacted.value(tokens.accessToken),
      Redacted.value(tokens.refreshToken!),
      Redacted.value(renewed),
      Redacted.value(latest),
    ]
    expect(rec.spans.length).toBeGreaterThan(5)
    for (const span of rec.spans) {
      const shown = `${span.name} ${inspect(span.attributes, { depth: 10 })} ${inspect(span.events, { depth: 10 })}`
      for (const secret of secrets) expect(shown).not.toContain(secret)
    }
  })
})
