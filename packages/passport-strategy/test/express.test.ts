/**
 * GrantflowStrategy in an Express 5 app with passport and express-session, driving whole logins
 * against a real @grantflow/sandbox over HTTP with a cookie jar.
 */
import { createOAuthClient, generateEncryptionKey, MemoryStateStore, type TokenSet } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import * as Redacted from "effect/Redacted"
import session from "express-session"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { GrantflowStrategy } from "../src/index.js"
import { Browser } from "./support/Browser.js"
import { startExpressApp, type RunningExpressApp } from "./support/expressApp.js"
import {
  CLIENT_ID,
  CLIENT_SECRET,
  hopperProvider,
  registerCallback,
  userFromTokens,
  type HopperUser,
} from "./support/hopper.js"

const DENIED = "User did not give permission to the app."

let sb: Sandbox
const apps: Array<RunningExpressApp> = []
const verified: Array<TokenSet> = []
let main: RunningExpressApp
const store = new session.MemoryStore()

/** The strategies built so far, by callback URL (one per app). */
const strategies = new Map<string, GrantflowStrategy>()

const hopperStrategy = (callbackURL: string): GrantflowStrategy => {
  registerCallback(sb, callbackURL)
  const strategy = new GrantflowStrategy(
    { provider: hopperProvider(sb), scopes: ["read", "trade"], callbackURL },
    async (tokens) => {
      verified.push(tokens)
      return userFromTokens(sb, tokens)
    },
  )
  strategies.set(callbackURL, strategy)
  return strategy
}

/** The client's default session, which no login through the strategy may fill: verify keeps the tokens. */
const defaultSessionOf = (app: RunningExpressApp) => {
  const strategy = strategies.get(app.callbackURL)
  if (strategy === undefined) throw new Error(`no strategy for ${app.url}`)
  return strategy.client.getTokenSet().then(
    () => "stored",
    (e: { _tag?: string }) => e._tag,
  )
}

const start = async (...args: Parameters<typeof startExpressApp>): Promise<RunningExpressApp> => {
  const app = await startExpressApp(...args)
  apps.push(app)
  return app
}

const json = async <T>(browser: Browser, url: string): Promise<{ status: number; body: T }> => {
  const res = await browser.get(url)
  return { status: res.status, body: (await res.json()) as T }
}

/** Follows the app's answer to a callback (a redirect to /me or /failed) and returns that page's JSON. */
const finish = async (browser: Browser, callback: URL) => {
  const next = await browser.redirectFrom(callback.href)
  return {
    path: next.pathname,
    ...(await json<{ user?: HopperUser; messages?: Array<string> }>(browser, next.href)),
  }
}

beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
  main = await start({ strategy: hopperStrategy, sessions: { store } })
})

afterEach(() => {
  sb.setConsent("approve")
  sb.faults.clear()
})

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await sb?.stop()
})

describe("GrantflowStrategy with Express, passport and express-session", () => {
  it("redirects the login to the provider with state, an S256 challenge and comma-separated scopes", async () => {
    const browser = new Browser()
    const authorize = await browser.redirectFrom(main.loginUrl)

    expect(`${authorize.origin}${authorize.pathname}`).toBe(sb.cryptohopper.authorizationEndpoint)
    const q = authorize.searchParams
    expect(q.get("client_id")).toBe(CLIENT_ID)
    expect(q.get("response_type")).toBe("code")
    expect(q.get("redirect_uri")).toBe(main.callbackURL)
    expect(q.get("scope")).toBe("read,trade")
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    expect(q.get("code_challenge_method")).toBe("S256")
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(browser.cookies(main.url).has("connect.sid")).toBe(true)
  })

  it("lets the options of one passport.authenticate call override the scopes, and grants exactly those", async () => {
    const browser = new Browser()
    const authorize = await browser.redirectFrom(`${main.loginUrl}/read-only`)
    expect(authorize.searchParams.get("scope")).toBe("read")
    const page = await finish(browser, await browser.redirectFrom(authorize.href))
    expect(page.body.user?.scopes).toEqual(["read"])
  })

  it("logs the user in after consent: verify receives the TokenSet and the session keeps the user", async () => {
    const browser = new Browser()
    const before = verified.length
    const callback = await browser.callbackFor(main.loginUrl)
    expect(callback.searchParams.get("code")).toBeTruthy()

    const page = await finish(browser, callback)
    expect(page.path).toBe("/me")
    expect(page.status).toBe(200)
    expect(page.body.user).toEqual({
      id: 424242,
      username: "sandbox-user",
      scopes: ["read", "trade"],
      tokenType: "Bearer",
      hasRefreshToken: true,
    })
    expect(verified).toHaveLength(before + 1)
    const tokens = verified.at(-1)!
    const accessToken = Redacted.value(tokens.accessToken)
    expect(accessToken.length).toBeGreaterThan(0)
    expect(JSON.stringify(tokens)).not.toContain(accessToken)
    expect(String(tokens.accessToken)).not.toContain(accessToken)
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now())

    const again = await json<{ user: HopperUser }>(browser, `${main.url}/me`)
    expect(again.body.user.username).toBe("sandbox-user")
    // The user's tokens went to verify only, not into the client's default session that every
    // caller of `client.getAccessToken()` without a session would share.
    expect(await defaultSessionOf(main)).toBe("LoginRequired")
  })

  it("fails the login with the provider's message when the user denies consent", async () => {
    sb.setConsent("deny")
    const browser = new Browser()
    const before = verified.length
    const callback = await browser.callbackFor(main.loginUrl)
    expect(callback.searchParams.get("error")).toBe("1")

    const page = await finish(browser, callback)
    expect(page.path).toBe("/failed")
    expect(page.status).toBe(401)
    expect(page.body.messages).toEqual([DENIED])
    expect(verified).toHaveLength(before)
    expect((await browser.get(`${main.url}/me`)).status).toBe(401)

    // The denied callback used up its state: the same session cannot replay it.
    const replay = await finish(browser, callback)
    expect(replay.body.messages?.at(-1)).toMatch(/^State check failed/)
  })

  it("rejects a replayed callback without sending its code to the token endpoint again", async () => {
    const browser = new Browser()
    const callback = await browser.callbackFor(main.loginUrl)
    expect((await finish(browser, callback)).path).toBe("/me")
    const tokenRequests = sb.stats.tokenRequests("cryptohopper")

    const replay = await finish(browser, callback)
    expect(replay.path).toBe("/failed")
    expect(replay.body.messages?.at(-1)).toMatch(/^State check failed/)
    expect(sb.stats.tokenRequests("cryptohopper")).toBe(tokenRequests)
  })

  it("rejects a callback whose state was issued to another browser's session, and leaves that login intact", async () => {
    const alice = new Browser()
    const callback = await alice.callbackFor(main.loginUrl)

    const mallory = new Browser()
    await mallory.callbackFor(main.loginUrl) // Mallory has a session of her own, with her own pending login
    const stolen = await finish(mallory, callback)
    expect(stolen.path).toBe("/failed")
    expect(stolen.body.messages?.at(-1)).toMatch(/^State check failed/)
    expect((await mallory.get(`${main.url}/me`)).status).toBe(401)

    const sessionless = new Browser()
    expect((await finish(sessionless, callback)).path).toBe("/failed")

    const alicePage = await finish(alice, callback)
    expect(alicePage.path).toBe("/me")
    expect(alicePage.body.user?.username).toBe("sandbox-user")
  })

  it("fails the login when the token endpoint says the code is no longer valid (invalid_grant)", async () => {
    const browser = new Browser()
    const callback = await browser.callbackFor(main.loginUrl)
    // Someone else redeems the code first, as a leaked code would be.
    const stolen = await fetch(sb.cryptohopper.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "authorization_code",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uri: main.callbackURL,
        code: callback.searchParams.get("code"),
      }),
    })
    await stolen.body?.cancel()

    const page = await finish(browser, callback)
    expect(page.path).toBe("/failed")
    expect(page.body.messages?.at(-1)).toContain("invalid_grant")
  })

  it.each([
    { fault: { kind: "status", status: 500 } as const, tag: "OAuthServerError" },
    { fault: { kind: "html" } as const, tag: "InvalidResponse" },
    { fault: { kind: "reset" } as const, tag: "TransportError" },
  ])(
    "passes a token endpoint $fault.kind fault to next(err) as $tag instead of failing the login",
    async ({ fault, tag }) => {
      const browser = new Browser()
      const callback = await browser.callbackFor(main.loginUrl)
      sb.faults.next("cryptohopper.token", fault)

      const res = await browser.get(callback.href)
      expect(res.status).toBe(500)
      const body = (await res.json()) as { tag: string; message: string }
      expect(body.tag).toBe(tag)
      expect(body.message).not.toContain(CLIENT_SECRET)
      expect(body.message).not.toContain(callback.searchParams.get("code"))
    },
  )

  it("keeps the pending login in the session, so another instance sharing the session store finishes it", async () => {
    const other = await start({ strategy: hopperStrategy, sessions: { store } })
    const browser = new Browser()
    const callback = await browser.callbackFor(main.loginUrl)
    callback.port = String(other.port) // the load balancer sends the browser's return to the other instance

    const page = await finish(browser, callback)
    expect(page.path).toBe("/me")
    expect(page.body.user?.username).toBe("sandbox-user")
  })

  it("hands the request to verify with passReqToCallback and lets verify refuse the user", async () => {
    const seen: Array<string> = []
    const app = await start({
      sessions: { store: new session.MemoryStore() },
      strategy: (callbackURL) => {
        registerCallback(sb, callbackURL)
        return new GrantflowStrategy(
          {
            provider: hopperProvider(sb),
            scopes: ["read"],
            callbackURL,
            passReqToCallback: true,
            name: "hopper-strict",
          },
          (req, tokens, done) => {
            seen.push(new URL(req.originalUrl ?? "/", "http://x").pathname)
            if (tokens.scopes.includes("trade")) done(null, { id: 1 })
            else done(null, false, { message: "This app needs the trade scope." })
          },
        )
      },
    })
    expect(app.strategy.name).toBe("hopper-strict")
    const browser = new Browser()
    const page = await finish(browser, await browser.callbackFor(app.loginUrl))
    expect(seen).toEqual(["/auth/cryptohopper/callback"])
    expect(page.path).toBe("/failed")
    expect(page.body.messages).toEqual(["This app needs the trade scope."])
  })
})

describe("GrantflowStrategy configured in other ways", () => {
  it("uses an existing client: the session keeps the pending login and binds it to the browser", async () => {
    const app = await start({
      sessions: { store: new session.MemoryStore() },
      strategy: (callbackURL) => {
        registerCallback(sb, callbackURL)
        const client = createOAuthClient(hopperProvider(sb, callbackURL))
        return new GrantflowStrategy({ client, scopes: ["read"] }, (tokens, done) => {
          userFromTokens(sb, tokens).then((user) => done(null, user), done)
        })
      },
    })
    expect(app.strategy.name).toBe("cryptohopper")
    const alice = new Browser()
    const callback = await alice.callbackFor(app.loginUrl)
    expect(callback.searchParams.get("state")).toBeTruthy()

    const mallory = new Browser()
    await mallory.callbackFor(app.loginUrl)
    const stolen = await finish(mallory, callback)
    expect(stolen.path).toBe("/failed")
    expect(stolen.body.messages?.at(-1)).toMatch(/^State check failed/)

    const page = await finish(alice, callback)
    expect(page.path).toBe("/me")
    expect(page.body.user?.scopes).toEqual(["read"])
    expect((await finish(alice, callback)).path).toBe("/failed")
  })

  it("keeps a session's pending login in the session alone: the StateStore is never written, and other browsers' logins cannot evict it", async () => {
    const store = MemoryStateStore.make()
    let puts = 0
    const counted = { ...store, put: (p: Parameters<typeof store.put>[0]) => (puts++, store.put(p)) }
    const app = await start({
      sessions: { store: new session.MemoryStore() },
      strategy: (callbackURL) => {
        registerCallback(sb, callbackURL)
        return new GrantflowStrategy(
          { provider: hopperProvider(sb), scopes: ["read"], callbackURL, stateStore: counted },
          async (tokens) => userFromTokens(sb, tokens),
        )
      },
    })
    const alice = new Browser()
    const callback = await alice.callbackFor(app.loginUrl)
    for (let i = 0; i < 20; i++) await new Browser().callbackFor(app.loginUrl)
    const page = await finish(alice, callback)
    expect(page.path).toBe("/me")
    expect(puts).toBe(0)
  })

  it("seals the pending login in the session with encryptionKeys: the session holds no PKCE verifier, and the login still completes", async () => {
    const sessions = new session.MemoryStore()
    const sessionText = () =>
      new Promise<string>((resolve, reject) =>
        sessions.all((err, all) => (err ? reject(err) : resolve(JSON.stringify(all ?? {})))),
      )
    const app = await start({
      sessions: { store: sessions },
      strategy: (callbackURL) => {
        registerCallback(sb, callbackURL)
        return new GrantflowStrategy(
          {
            provider: hopperProvider(sb),
            scopes: ["read"],
            callbackURL,
            encryptionKeys: [{ id: "k1", key: generateEncryptionKey() }],
          },
          async (tokens) => userFromTokens(sb, tokens),
        )
      },
    })
    const browser = new Browser()
    const callback = await browser.callbackFor(app.loginUrl)
    const stored = await sessionText()
    expect(stored).toContain(callback.searchParams.get("state")!)
    expect(stored).toContain("gf1.k1.")
    expect(stored).not.toContain("codeVerifier")
    expect((await finish(browser, callback)).path).toBe("/me")
    // For contrast: without keys the session holds the encoded pending login, verifier included.
    await new Browser().callbackFor(main.loginUrl)
    expect(await new Promise<string>((r) => store.all((_, all) => r(JSON.stringify(all))))).toContain(
      "codeVerifier",
    )
  })

  it("rejects a callback that comes back after its pending login expired", async () => {
    const app = await start({
      sessions: { store: new session.MemoryStore() },
      strategy: (callbackURL) => {
        registerCallback(sb, callbackURL)
        return new GrantflowStrategy(
          { provider: hopperProvider(sb), callbackURL, clientOptions: { stateTtlMs: 1 } },
          async (tokens) => userFromTokens(sb, tokens),
        )
      },
    })
    const browser = new Browser()
    const callback = await browser.callbackFor(app.loginUrl)
    await new Promise((resolve) => setTimeout(resolve, 20)) // well past the 1 ms the login was given
    const page = await finish(browser, callback)
    expect(page.path).toBe("/failed")
    expect(page.body.messages).toEqual([
      "State check failed (expired): the callback does not belong to a pending authorization request",
    ])
  })

  it("passes an error thrown by verify to next(err)", async () => {
    const app = await start({
      sessions: { store: new session.MemoryStore() },
      strategy: (callbackURL) => {
        registerCallback(sb, callbackURL)
        return new GrantflowStrategy({ provider: hopperProvider(sb), callbackURL }, async () => {
          throw new Error("user database unavailable")
        })
      },
    })
    const browser = new Browser()
    const res = await browser.get((await browser.callbackFor(app.loginUrl)).href)
    expect(res.status).toBe(500)
    expect(((await res.json()) as { message: string }).message).toBe("user database unavailable")
  })

  it("refuses to be built without a provider or client, or with both a client and a stateStore", async () => {
    const verify = () => ({ id: 1 })
    expect(() => new GrantflowStrategy({}, verify)).toThrow(/needs a provider or a client/)
    const client = createOAuthClient(hopperProvider(sb, "http://127.0.0.1/callback"))
    expect(() => new GrantflowStrategy({ client, stateStore: MemoryStateStore.make() }, verify)).toThrow(
      /give stateStore and clientOptions to createOAuthClient/,
    )
    await client.dispose()
  })
})

describe("GrantflowStrategy without sessions", () => {
  let stateless: RunningExpressApp
  beforeAll(async () => {
    stateless = await start({ strategy: hopperStrategy, sessions: "none" })
  })

  it("keeps the pending login in the StateStore and accepts its callback exactly once", async () => {
    const browser = new Browser()
    const callback = await browser.callbackFor(stateless.loginUrl)
    expect(browser.cookies(stateless.url).size).toBe(0)

    const first = await json<{ user: HopperUser }>(browser, callback.href)
    expect(first.status).toBe(200)
    expect(first.body.user.username).toBe("sandbox-user")

    const replay = await json<{ message: string }>(browser, callback.href)
    expect(replay.status).toBe(401)
    expect(replay.body.message).toMatch(/^State check failed/)
    expect(await defaultSessionOf(stateless)).toBe("LoginRequired")
  })

  it("keeps pending logins in the StateStore it is given, so another instance sharing it finishes the login", async () => {
    const shared = MemoryStateStore.make()
    const strategy = (callbackURL: string) => {
      registerCallback(sb, callbackURL)
      return new GrantflowStrategy(
        { provider: hopperProvider(sb), scopes: ["read"], callbackURL, stateStore: shared },
        async (tokens) => userFromTokens(sb, tokens),
      )
    }
    const first = await start({ strategy, sessions: "none" })
    const second = await start({ strategy, sessions: "none" })
    const browser = new Browser()
    const callback = await browser.callbackFor(first.loginUrl)
    callback.port = String(second.port)

    const done = await json<{ user: HopperUser }>(browser, callback.href)
    expect(done.status).toBe(200)
    expect(done.body.user.username).toBe("sandbox-user")
  })

  it("answers 401 with the provider's message when consent is denied", async () => {
    sb.setConsent("deny")
    const browser = new Browser()
    const denied = await json<{ message: string }>(
      browser,
      (await browser.callbackFor(stateless.loginUrl)).href,
    )
    expect(denied.status).toBe(401)
    expect(denied.body.message).toBe(DENIED)
  })

  it("rejects a callback with a state it never issued", async () => {
    const browser = new Browser()
    const res = await json<{ message: string }>(
      browser,
      `${stateless.callbackURL}?code=abc&state=never-issued-state`,
    )
    expect(res.status).toBe(401)
    expect(res.body.message).toMatch(/^State check failed/)
  })
})
