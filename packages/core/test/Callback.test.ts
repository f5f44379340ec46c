import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import {
  createOAuthClient,
  decodePending,
  encodePending,
  HttpTransport,
  OAuth,
  type OAuthClient,
  type Provider,
} from "../src/index.js"
import { followAuthorize, hopperProvider, rejectionOf } from "./helpers/sandbox.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterAll(async () => {
  await sb.stop()
})

const clients: Array<OAuthClient> = []
afterAll(async () => {
  for (const c of clients) await c.dispose()
})
const client = (provider: Provider = hopperProvider(sb)) => {
  const c = createOAuthClient(provider, { retries: 0 })
  clients.push(c)
  return c
}

/** A real consent at the sandbox: the callback URL it redirects to, with a real code and state. */
const login = async (c: OAuthClient) => {
  const request = await c.authorizationUrl()
  return { request, callback: new URL(await followAuthorize(request.url)) }
}

/** Runs `f` and says how many token requests reached the sandbox meanwhile. */
const tokenRequestsDuring = async <A>(f: () => Promise<A>): Promise<[A, number]> => {
  const before = sb.stats.tokenRequests()
  const result = await f()
  return [result, sb.stats.tokenRequests() - before]
}

describe("handleCallback: accepted but wrong (issue 12, hole 3)", () => {
  it("refuses a callback carrying two different iss values, even when the first is the issuer, with no token request", async () => {
    const base = hopperProvider(sb)
    const provider: Provider = { ...base, endpoints: { ...base.endpoints, issuer: "https://hopper.example" } }
    const c = client(provider)
    const { callback } = await login(c)
    callback.searchParams.append("iss", "https://hopper.example")
    callback.searchParams.append("iss", "https://evil.example")
    const [e, requests] = await tokenRequestsDuring(() => rejectionOf(c.handleCallback(callback.href)))
    expect(e).toMatchObject({ _tag: "StateMismatch", reason: "issuer" })
    expect(requests).toBe(0)
  })

  it("never reads code and state out of a fragment", async () => {
    const c = client()
    const { callback } = await login(c)
    const inFragment = `${callback.origin}${callback.pathname}#x?${callback.searchParams}`
    for (const input of [inFragment, new URL(inFragment), `#x?${callback.searchParams}`]) {
      const [e, requests] = await tokenRequestsDuring(() => rejectionOf(c.handleCallback(input)))
      expect(e).toMatchObject({ _tag: "StateMismatch", reason: "missing" })
      expect(requests).toBe(0)
    }
    // The pending login was not spent by those attempts: the real callback still works.
    expect((await c.handleCallback(callback.href)).tokenType).toBe("Bearer")
  })
})

/** qs's ParsedQs, the type of Express's `req.query`. */
interface ParsedQs {
  [key: string]: undefined | string | ParsedQs | (string | ParsedQs)[]
}

describe("handleCallback input shapes (issue 12, hole 8)", () => {
  it("accepts req.query as Express and Nest hold it: a record of strings", async () => {
    const c = client()
    const { callback } = await login(c)
    // Typed as Express types req.query (qs's ParsedQs), so the call below must compile with it.
    const query: ParsedQs = Object.fromEntries(callback.searchParams)
    query["unrelated"] = undefined
    const tokens = await c.handleCallback(query)
    expect(Redacted.value(tokens.accessToken).length).toBeGreaterThan(0)
  })

  it("accepts a record without a prototype (Object.create(null), what some query parsers give)", async () => {
    const c = client()
    const { callback } = await login(c)
    const query = Object.create(null) as Record<string, string>
    for (const [k, v] of callback.searchParams) query[k] = v
    expect((await c.handleCallback(query)).tokenType).toBe("Bearer")
  })

  it("refuses a record repeating state as an array like a repeated query parameter, with no token request", async () => {
    const c = client()
    const { callback, request } = await login(c)
    const query = { ...Object.fromEntries(callback.searchParams), state: [request.state, "other"] }
    const [e, requests] = await tokenRequestsDuring(() => rejectionOf(c.handleCallback(query)))
    expect(e).toMatchObject({ _tag: "StateMismatch", reason: "mismatch" })
    expect(requests).toBe(0)
  })

  it("reads a qs-nested parameter (code[x]=1) as an empty one, never as the code, with no token request", async () => {
    const c = client()
    const { callback } = await login(c)
    const query: ParsedQs = {
      ...Object.fromEntries(callback.searchParams),
      code: { x: callback.searchParams.get("code")! },
    }
    const [e, requests] = await tokenRequestsDuring(() => rejectionOf(c.handleCallback(query)))
    expect(e).toMatchObject({ _tag: "AuthorizationError", error: "invalid_request" })
    expect(requests).toBe(0)
  })

  it("rejects anything else with a ConfigError that says what to pass", async () => {
    const c = client()
    const wrong: Array<unknown> = [
      undefined,
      null,
      42,
      Object.create(null),
      { code: 1, state: "s" },
      new (class IncomingMessage {
        query = { code: "c" }
      })(),
      new Map([["code", "c"]]),
      ["code=c"],
    ]
    for (const input of wrong) {
      const e = await rejectionOf(c.handleCallback(input as string))
      if (
        input !== null &&
        typeof input === "object" &&
        Object.keys(input).length === 0 &&
        !(input instanceof Map)
      ) {
        // An empty record is a query without parameters: no state to check.
        expect(e).toMatchObject({ _tag: "StateMismatch", reason: "missing" })
        continue
      }
      expect(e).toMatchObject({ _tag: "ConfigError" })
      expect(e.message).toMatch(/callback URL.*req\.originalUrl.*req\.query/)
    }
  })
})

describe("pure steps (issue 12, hole 9)", () => {
  const transport = HttpTransport.layer({ retries: 0 })
  const run = <A, E>(effect: Effect.Effect<A, E, HttpTransport>) =>
    Effect.runPromise(effect.pipe(Effect.provide(transport)))

  it("builds { url, pending } without any store and completes the callback against that pending", async () => {
    const provider = hopperProvider(sb)
    const { url, pending } = await run(OAuth.createAuthorizationRequest(provider, { scopes: ["read"] }))
    expect(new URL(url).searchParams.get("state")).toBe(pending.state)
    expect(pending.redirectUri).toBe(provider.client.redirectUri)
    expect(inspect(pending)).not.toContain(Redacted.value(pending.codeVerifier!))
    // What an app keeps in its session and reads back on the callback.
    const kept = decodePending(encodePending(pending))
    const callback = await followAuthorize(url)
    const [tokens, requests] = await tokenRequestsDuring(() =>
      run(OAuth.completeCallback(provider, callback, kept)),
    )
    expect(tokens.scopes).toEqual(["read"])
    expect(requests).toBe(1)
  })

  it("refuses a callback against a pending of another request, an expired one, or another provider's, with no token request", async () => {
    const provider = hopperProvider(sb)
    const first = await run(OAuth.createAuthorizationRequest(provider))
    const second = await run(OAuth.createAuthorizationRequest(provider))
    const callback = await followAuthorize(first.url)
    const cases = [
      [second.pending, "mismatch"],
      [{ ...first.pending, expiresAt: first.pending.createdAt - 1 }, "expired"],
      [{ ...first.pending, providerId: "other" }, "mismatch"],
    ] as const
    for (const [pending, reason] of cases) {
      const [e, requests] = await tokenRequestsDuring(() =>
        run(Effect.flip(OAuth.completeCallback(provider, callback, pending))),
      )
      expect(e).toMatchObject({ _tag: "StateMismatch", reason })
      expect(requests).toBe(0)
    }
  })

  it("answers a missing pending (a lost session) with StateMismatch and a pending that is not one with ConfigError, never a TypeError", async () => {
    const c = client()
    const { url, pending } = await c.createAuthorizationRequest()
    const callback = await followAuthorize(url)
    const [lost, requests] = await tokenRequestsDuring(() =>
      rejectionOf(c.completeCallback(callback, undefined as unknown as typeof pending)),
    )
    expect(lost).toMatchObject({ _tag: "StateMismatch", reason: "unknown" })
    expect(requests).toBe(0)
    // What JSON.parse(JSON.stringify(pending)) gives: the verifier is no longer a Redacted.
    const flattened = JSON.parse(JSON.stringify(pending)) as typeof pending
    for (const wrong of [flattened, "pending", { state: pending.state }]) {
      const e = await rejectionOf(c.completeCallback(callback, wrong as typeof pending))
      expect(e).toMatchObject({ _tag: "ConfigError" })
      expect(e.message).toMatch(/createAuthorizationRequest.*decodePending/)
    }
    // None of that spent the login.
    expect((await c.completeCallback(callback, pending)).tokenType).toBe("Bearer")
  })

  it("offers the same steps on the Promise client, storing the tokens as the given session", async () => {
    const c = client()
    const { url, pending } = await c.createAuthorizationRequest({ scopes: ["read", "trade"] })
    const tokens = await c.completeCallback(await followAuthorize(url), pending, { session: "pure" })
    expect(Redacted.value(await c.getAccessToken({ session: "pure" }))).toBe(
      Redacted.value(tokens.accessToken),
    )
  })
})

describe("login flood (issue 12, hole 4)", () => {
  it("keeps a real user's pending login through 10,000 newer authorizationUrl calls on the default store", async () => {
    const c = client()
    const { callback } = await login(c)
    for (let i = 0; i < 10_000; i++) await c.authorizationUrl()
    const [tokens, requests] = await tokenRequestsDuring(() => c.handleCallback(callback.href))
    expect(tokens.tokenType).toBe("Bearer")
    expect(requests).toBe(1)
  }, 120_000)
})
