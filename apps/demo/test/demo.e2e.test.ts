/**
 * The demo end to end: the real app (`startDemo`) with its embedded sandbox, driven over HTTP the
 * way a browser drives it (cookie jar, manual redirects, the consent form parsed and submitted),
 * through the JSON API the React page uses. `browser.e2e.test.ts` clicks the page itself in Chromium.
 */
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Demo, startDemo } from "../src/start-demo.js"
import { Browser, consentForm, type Page } from "./support/browser.js"

const DENIED = "User did not give permission to the app."

/** Every raw token the demo's store held at any moment a browser got an answer. */
const rawTokens = new Set<string>()
const browsers: Array<Browser> = []

const collectTokens = (demo: Demo): void => {
  for (const key of demo.ledger.keys()) {
    const tokens = demo.ledger.entry(key)?.tokens
    if (tokens === undefined) continue
    rawTokens.add(Redacted.value(tokens.accessToken))
    if (tokens.refreshToken !== undefined) rawTokens.add(Redacted.value(tokens.refreshToken))
  }
}

const newBrowser = (demo: Demo): Browser => {
  const browser = new Browser(() => collectTokens(demo))
  browsers.push(browser)
  return browser
}

const json = (page: Page): Record<string, any> => JSON.parse(page.body) as Record<string, any>

/** The store keys of Cryptohopper connections, to find the one a login just created. */
const hopperKeys = (demo: Demo): ReadonlyArray<string> =>
  demo.ledger.keys().filter((k) => k.startsWith("cryptohopper:"))

interface Connected {
  readonly authorize: URL
  readonly consent: Page
  readonly callback: URL
  readonly landedAt: URL | undefined
  /** The page the login landed on. */
  readonly home: Page
  /** What the page learns from `GET /api/flash` once it has loaded. */
  readonly flash: { kind: string; text: string } | null
  /** The store key of the new connection (undefined when it did not connect). */
  readonly key: string | undefined
}

/** Clicks "Connect Cryptohopper", then Approve or Deny on the sandbox's consent page, and lands back. */
const connect = async (
  demo: Demo,
  browser: Browser,
  base: string,
  options: { decision?: "approve" | "deny"; query?: string } = {},
): Promise<Connected> => {
  const before = new Set(hopperKeys(demo))
  const authorize = await browser.redirectFrom(
    `${base}/auth/cryptohopper?${options.query ?? "scope=read&scope=user"}`,
  )
  const consent = await browser.get(authorize)
  expect(consent.status).toBe(200)
  const { action, fields } = consentForm(consent.body, authorize, options.decision ?? "approve")
  const decided = await browser.post(action, fields)
  expect(decided.location?.origin).toBe(base)
  const callback = decided.location!
  const landed = await browser.get(callback)
  expect(landed.status).toBe(303)
  const home = await browser.follow(landed)
  const flash = json(await browser.get(`${base}/api/flash`)).flash as Connected["flash"]
  const key = hopperKeys(demo).find((k) => !before.has(k))
  return { authorize, consent, callback, landedAt: landed.location, home, flash, key }
}

const tokenOf = (demo: Demo, key: string | undefined) => {
  const tokens = key === undefined ? undefined : demo.ledger.entry(key)?.tokens
  if (tokens === undefined) throw new Error(`no tokens under ${String(key)}`)
  return {
    access: Redacted.value(tokens.accessToken),
    refresh: tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken),
    expiresAt: tokens.expiresAt,
  }
}

const sleepUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())))

describe("the demo on its embedded sandbox", () => {
  let demo: Demo
  let base: string

  beforeAll(async () => {
    demo = await startDemo({ port: 0, logger: false })
    base = `http://127.0.0.1:${demo.port}`
  })

  afterAll(async () => {
    await demo?.close()
  })

  it("serves the built React page at / with its hashed assets, and both connections as not connected", async () => {
    const browser = newBrowser(demo)
    const home = await browser.get(`${base}/`)
    expect(home.status).toBe(200)
    expect(home.headers.get("content-type")).toMatch(/^text\/html/)
    expect(home.body).toContain("<title>grantflow demo</title>")
    expect(home.body).toContain('<div id="root"></div>')
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(home.body)
    const style = /<link rel="stylesheet" crossorigin href="(\/assets\/[^"]+\.css)">/.exec(home.body)
    expect(script).not.toBeNull()
    expect(style).not.toBeNull()

    const js = await browser.get(`${base}${script![1]}`)
    expect(js.status).toBe(200)
    expect(js.headers.get("content-type")).toMatch(/javascript/)
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable")
    expect(js.body).toContain("/api/cryptohopper/token")
    const css = await browser.get(`${base}${style![1]}`)
    expect(css.status).toBe(200)
    expect(css.headers.get("content-type")).toMatch(/^text\/css/)
    expect((await browser.get(`${base}/assets/not-there.js`)).status).toBe(404)

    const status = json(await browser.get(`${base}/api/status`))
    expect(status.cryptohopper).toMatchObject({ connected: false, token: null })
    expect(status.cryptofuse).toEqual({ token: null })
    expect(status.modes).toEqual({ cryptohopper: "sandbox", cryptofuse: "sandbox" })
    expect(json(await browser.get(`${base}/api/flash`))).toEqual({ flash: null })
  })

  it("connects Cryptohopper through the sandbox consent page and shows the scopes, the expiry and a masked token", async () => {
    const browser = newBrowser(demo)
    const { authorize, consent, callback, landedAt, home, flash, key } = await connect(demo, browser, base)

    expect(`${authorize.origin}${authorize.pathname}`).toBe(demo.sandbox!.cryptohopper.authorizationEndpoint)
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${base}/auth/cryptohopper/callback`)
    expect(authorize.searchParams.get("scope")).toBe("read,user")
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256")
    expect(consent.body).toContain("grantflow demo")
    expect(callback.searchParams.get("code")).not.toBeNull()
    expect(landedAt?.pathname).toBe("/")

    expect(home.status).toBe(200)
    expect(home.body).toContain('<div id="root"></div>')

    const token = tokenOf(demo, key)
    expect(flash).toEqual({ kind: "info", text: "Connected to Cryptohopper with scopes: read, user." })
    // The message is shown once.
    expect(json(await browser.get(`${base}/api/flash`))).toEqual({ flash: null })
    const view = json(await browser.get(`${base}/api/cryptohopper/token`))
    expect(view).toMatchObject({
      accessToken: `${token.access.slice(0, 4)}…`,
      scopes: ["read", "user"],
      expiresAt: token.expiresAt!.toISOString(),
      refreshCount: 0,
    })
    const status = json(await browser.get(`${base}/api/status`))
    expect(status.cryptohopper).toMatchObject({ connected: true, token: view })
  })

  it("shows Cryptohopper's own message when the person clicks Deny", async () => {
    const browser = newBrowser(demo)
    const { callback, landedAt, home, flash, key } = await connect(demo, browser, base, { decision: "deny" })

    expect(callback.searchParams.get("error")).toBe("1")
    expect(landedAt?.pathname).toBe("/")
    expect(home.status).toBe(200)
    expect(flash).toEqual({ kind: "error", text: `Cryptohopper did not connect: ${DENIED}` })
    expect(key).toBeUndefined()
    expect((await browser.get(`${base}/api/cryptohopper/token`)).status).toBe(204)
  })

  it("calls the Cryptohopper API through client.fetch and shows its data", async () => {
    const browser = newBrowser(demo)
    await connect(demo, browser, base)
    const apiCalls = demo.sandbox!.stats.requests("cryptohopper.api")

    const hoppers = json(await browser.get(`${base}/api/cryptohopper/call?path=/hopper`))
    expect(hoppers).toMatchObject({ provider: "cryptohopper", path: "/hopper", status: 200, ok: true })
    expect(hoppers.data.data.map((h: { name: string }) => h.name)).toEqual([
      "Sandbox BTC hopper",
      "Sandbox ETH hopper",
    ])

    const user = json(await browser.get(`${base}/api/cryptohopper/call?path=/user/get`))
    expect(user.data.data.user.username).toBe("sandbox-user")
    expect(demo.sandbox!.stats.requests("cryptohopper.api")).toBe(apiCalls + 2)
  })

  it("gets a Cryptofuse client-credentials token once and lists payments and rates with it", async () => {
    const browser = newBrowser(demo)
    const tokenRequests = demo.sandbox!.stats.tokenRequests("cryptofuse")

    const withToken = json(await browser.post(`${base}/api/cryptofuse/token`))
    const key = demo.ledger.keys().find((k) => k.startsWith("cryptofuse:"))
    const token = tokenOf(demo, key)
    expect(withToken).toMatchObject({ accessToken: `${token.access.slice(0, 4)}…`, scopes: ["read"] })
    expect(json(await browser.get(`${base}/api/status`)).cryptofuse.token).toEqual(withToken)

    const payments = json(await browser.get(`${base}/api/cryptofuse/payments`))
    expect(payments).toMatchObject({ provider: "cryptofuse", path: "/payments/", status: 200, ok: true })
    expect(payments.data.count).toBe(12)
    expect(payments.data.results[0].description).toBe("Seeded payment 1")

    const rates = json(await browser.get(`${base}/api/cryptofuse/rates`))
    expect(rates.data).toMatchObject({ base: "USD", rates: { BTC: "64000.50" } })

    // One token request for the token and both calls: the token was cached.
    expect(demo.sandbox!.stats.tokenRequests("cryptofuse")).toBe(tokenRequests + 1)
  })

  it("revokes the tokens at the sandbox on Disconnect, so the sandbox API refuses them afterwards", async () => {
    const browser = newBrowser(demo)
    const { key } = await connect(demo, browser, base)
    const token = tokenOf(demo, key)
    const userUrl = `${demo.sandbox!.cryptohopper.apiBase}/user/get`
    const callWith = (access: string) => fetch(userUrl, { headers: { "access-token": access } })
    expect((await callWith(token.access)).status).toBe(200)

    const disconnected = await browser.post(`${base}/api/cryptohopper/logout`)
    expect(json(disconnected)).toEqual({
      revoked: true,
      message: "Disconnected: the provider revoked the access and refresh tokens.",
    })
    expect(json(await browser.get(`${base}/api/status`)).cryptohopper.connected).toBe(false)
    expect(demo.ledger.entry(key!)).toBeUndefined()

    const refused = await callWith(token.access)
    expect(refused.status).toBe(401)
    const refresh = await fetch(demo.sandbox!.cryptohopper.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: token.refresh,
        client_id: "hopper-app",
        client_secret: "hopper-secret",
      }),
    })
    expect(refresh.status).toBe(400)
    expect(((await refresh.json()) as { error: string }).error).toBe("invalid_grant")

    // The connection is gone: the page's token endpoint answers "no session" (204), not an error.
    const api = await browser.get(`${base}/api/cryptohopper/token`)
    expect(api.status).toBe(204)
    expect(json(await browser.get(`${base}/api/status`)).cryptohopper.connected).toBe(false)
  })

  it("replaces and revokes a browser's earlier connection when it connects again", async () => {
    const browser = newBrowser(demo)
    const first = await connect(demo, browser, base)
    const firstTokens = tokenOf(demo, first.key)
    const second = await connect(demo, browser, base, { query: "scope=read" })

    expect(second.key).not.toBe(first.key)
    expect(demo.ledger.entry(first.key!)).toBeUndefined()
    const old = await fetch(`${demo.sandbox!.cryptohopper.apiBase}/hopper`, {
      headers: { "access-token": firstTokens.access },
    })
    expect(old.status).toBe(401)
    expect(json(await browser.get(`${base}/api/cryptohopper/token`)).scopes).toEqual(["read"])
  })

  it("sets the session cookie HttpOnly and SameSite=Lax, and changes the session id at login", async () => {
    const browser = newBrowser(demo)
    await browser.redirectFrom(`${base}/auth/cryptohopper`)
    const before = browser.cookie(base, "grantflow.sid")
    expect(before).toBeDefined()
    await connect(demo, browser, base)
    const after = browser.cookie(base, "grantflow.sid")
    expect(after).toBeDefined()
    expect(after).not.toBe(before)

    const sessionCookies = browser.setCookies.filter((c) => c.name === "grantflow.sid")
    expect(sessionCookies.length).toBeGreaterThan(0)
    for (const cookie of sessionCookies) {
      expect(cookie.attributes.has("httponly")).toBe(true)
      expect(cookie.attributes.get("samesite")?.toLowerCase()).toBe("lax")
      expect(cookie.attributes.get("path")).toBe("/")
    }
  })

  it("returns to a same-origin returnTo after login and refuses every other one", async () => {
    const landing = async (returnTo: string) => {
      const browser = newBrowser(demo)
      const { landedAt } = await connect(demo, browser, base, {
        query: `scope=read&returnTo=${encodeURIComponent(returnTo)}`,
      })
      return landedAt!
    }
    const inside = await landing("/api/status?from=login")
    expect(inside.origin).toBe(base)
    expect(`${inside.pathname}${inside.search}`).toBe("/api/status?from=login")

    for (const evil of [
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example/",
      "javascript:alert(1)",
    ]) {
      const landed = await landing(evil)
      expect(landed.origin, evil).toBe(base)
      expect(landed.pathname, evil).toBe("/")
    }
  })

  it("refuses a state-changing POST from another origin and has no GET for actions", async () => {
    const browser = newBrowser(demo)
    const { key } = await connect(demo, browser, base)

    // "null" is what a sandboxed frame on another site sends.
    for (const origin of ["https://evil.example", "null", `http://127.0.0.1:${demo.port + 1}`]) {
      const forged = await browser.post(`${base}/api/cryptohopper/logout`, {}, origin)
      expect(forged.status, origin).toBe(403)
    }
    expect(demo.ledger.entry(key!)).toBeDefined()

    const viaGet = await browser.get(`${base}/api/cryptohopper/logout`)
    expect(viaGet.status).toBe(404)
    expect(demo.ledger.entry(key!)).toBeDefined()
  })

  it("serves the React page's JSON API with a masked token and API calls through the server", async () => {
    const browser = newBrowser(demo)
    // No session is a normal state of the page: 204 No Content, as backendSource reads it.
    const signedOut = await browser.get(`${base}/api/cryptohopper/token`)
    expect(signedOut.status).toBe(204)
    expect(signedOut.body).toBe("")
    // Actions without a session are refused with the typed error.
    const refresh = await browser.post(`${base}/api/cryptohopper/token/refresh`)
    expect(refresh.status).toBe(401)
    expect(json(refresh)).toMatchObject({ error: "LoginRequired" })
    expect(typeof json(refresh).message).toBe("string")

    const { key } = await connect(demo, browser, base)
    const first = tokenOf(demo, key)
    const view = await browser.get(`${base}/api/cryptohopper/token`)
    expect(view.status).toBe(200)
    expect(json(view)).toEqual({
      accessToken: `${first.access.slice(0, 4)}…`,
      tokenType: "Bearer",
      expiresAt: first.expiresAt!.toISOString(),
      scopes: ["read", "user"],
      obtainedAt: expect.any(String),
      refreshedAt: null,
      refreshCount: 0,
    })

    const refreshed = await browser.post(`${base}/api/cryptohopper/token/refresh`)
    expect(refreshed.status).toBe(200)
    const second = tokenOf(demo, key)
    expect(second.access).not.toBe(first.access)
    expect(json(refreshed)).toMatchObject({ accessToken: `${second.access.slice(0, 4)}…`, refreshCount: 1 })
    expect(Date.parse(json(refreshed).refreshedAt)).not.toBeNaN()

    const call = await browser.get(`${base}/api/cryptohopper/call?path=/hopper`)
    expect(call.status).toBe(200)
    expect(json(call)).toMatchObject({ provider: "cryptohopper", path: "/hopper", status: 200, ok: true })
    expect(json(call).data.data.map((h: { id: string }) => h.id)).toEqual(["1001", "1002"])
    for (const bad of ["https://evil.example/x", "//evil.example/x", "/../../oauth2/token"]) {
      expect(
        (await browser.get(`${base}/api/cryptohopper/call?path=${encodeURIComponent(bad)}`)).status,
        bad,
      ).toBe(400)
    }

    const fuseToken = await browser.post(`${base}/api/cryptofuse/token`)
    expect(fuseToken.status).toBe(200)
    expect(json(fuseToken)).toMatchObject({ tokenType: "Bearer", scopes: ["read"] })
    expect(json(fuseToken).accessToken).toMatch(/^[A-Za-z0-9]{4}…$/)
    const payments = await browser.get(`${base}/api/cryptofuse/payments`)
    expect(json(payments).data.results).toHaveLength(10)
    const rates = await browser.get(`${base}/api/cryptofuse/rates`)
    expect(json(rates).data.rates.BTC).toBe("64000.50")

    const logout = await browser.post(`${base}/api/cryptohopper/logout`)
    expect(logout.status).toBe(200)
    expect(json(logout).revoked).toBe(true)
    expect((await browser.get(`${base}/api/cryptohopper/token`)).status).toBe(204)
    expect((await browser.post(`${base}/api/cryptohopper/logout`)).status).toBe(401)
  })

  it("turns a provider's refusal into the filter's JSON with a readable message and no secret", async () => {
    const browser = newBrowser(demo)
    const refusal = { kind: "status", status: 401, body: '{"error":"invalid_client"}' } as const

    demo.sandbox!.faults.next("cryptofuse.token", refusal)
    const api = await browser.post(`${base}/api/cryptofuse/token/renew`)
    expect(api.status).toBe(502)
    expect(json(api)).toMatchObject({ statusCode: 502, error: "OAuthServerError" })
    expect(json(api).message).toMatch(/^The provider rejected this application's credentials/)
    expect(api.body).not.toContain("fuse-secret")
  })

  it("sends pages with a CSP without inline code and a referrer policy that keeps form posts' Origin", async () => {
    const home = await newBrowser(demo).get(`${base}/`)
    const csp = home.headers.get("content-security-policy") ?? ""
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain(`form-action 'self' ${demo.sandbox!.url}`)
    // Every script has a src; no inline style or handler.
    expect(home.body).toMatch(/<script /)
    expect(home.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=| on[a-z]+=/)
    // `no-referrer` would make browsers send `Origin: null` on the page's own forms.
    expect(home.headers.get("referrer-policy")).toBe("same-origin")
    expect(home.headers.get("cache-control")).toBe("no-store")
    expect(home.headers.get("x-powered-by")).toBeNull()
  })

  it("never sent a raw access or refresh token to a browser", () => {
    collectTokens(demo)
    expect(rawTokens.size).toBeGreaterThan(4)
    for (const browser of browsers) {
      for (const body of browser.transcript) {
        for (const token of rawTokens) expect(body.includes(token)).toBe(false)
      }
    }
  })
})

describe("refresh on a sandbox whose tokens live 2 seconds", () => {
  let demo: Demo
  let base: string

  beforeAll(async () => {
    demo = await startDemo({
      port: 0,
      logger: false,
      refreshSkewMs: 0,
      sandbox: { accessTokenTtlSeconds: 2 },
    })
    base = `http://127.0.0.1:${demo.port}`
  })

  afterAll(async () => {
    await demo?.close()
  })

  it("refreshes an expired Cryptohopper token on the next API call and counts the refresh", async () => {
    const browser = newBrowser(demo)
    const { key } = await connect(demo, browser, base)
    const first = tokenOf(demo, key)
    expect(json(await browser.get(`${base}/api/cryptohopper/token`)).refreshCount).toBe(0)

    await sleepUntil(first.expiresAt!.getTime() + 200)
    const tokenRequests = demo.sandbox!.stats.tokenRequests("cryptohopper")
    const call = json(await browser.get(`${base}/api/cryptohopper/call?path=/hopper`))

    expect(call).toMatchObject({ status: 200, ok: true, tokenRefreshed: true })
    expect(call.data.data[0].name).toBe("Sandbox BTC hopper")
    const view = json(await browser.get(`${base}/api/status`)).cryptohopper.token
    expect(view.refreshCount).toBe(1)
    expect(Date.parse(view.refreshedAt)).toBeGreaterThanOrEqual(first.expiresAt!.getTime())
    expect(demo.sandbox!.stats.tokenRequests("cryptohopper")).toBe(tokenRequests + 1)
    const second = tokenOf(demo, key)
    expect(second.access).not.toBe(first.access)
    // Cryptohopper sends no new refresh token: the old one is kept.
    expect(second.refresh).toBe(first.refresh)
    collectTokens(demo)
  })

  it("gets a new Cryptofuse token once the cached one expired and shows the renewal", async () => {
    const browser = newBrowser(demo)
    expect((await browser.post(`${base}/api/cryptofuse/token`)).status).toBe(200)
    const key = demo.ledger.keys().find((k) => k.startsWith("cryptofuse:"))
    const first = tokenOf(demo, key)

    await sleepUntil(first.expiresAt!.getTime() + 200)
    const call = json(await browser.get(`${base}/api/cryptofuse/rates`))
    expect(call).toMatchObject({ status: 200, ok: true, tokenRefreshed: true })
    expect(json(await browser.get(`${base}/api/status`)).cryptofuse.token.refreshCount).toBe(1)
    expect(tokenOf(demo, key).access).not.toBe(first.access)
    collectTokens(demo)
  })

  it("never sent a raw token to a browser while refreshing", () => {
    for (const browser of browsers) {
      for (const body of browser.transcript) {
        for (const token of rawTokens) expect(body.includes(token)).toBe(false)
      }
    }
  })
})
