/**
 * The demo's React page in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core against the demo started in this process on its embedded sandbox, clicking
 * through what a person does. Cryptohopper tokens live 6 seconds here, so the page's refreshes
 * (`useOAuthToken`'s store: Web Locks + BroadcastChannel across tabs) happen while the test
 * watches. Chromium missing is a failure, not a skip: `.ci/run` installs it (scripts/bootstrap.sh).
 */
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Redacted from "effect/Redacted"
import { type Browser, type BrowserContext, chromium, type Page, type Request } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WEB_DIR } from "../src/page/web-build.js"
import { type Demo, startDemo } from "../src/start-demo.js"

const CHROMIUM = "/usr/bin/chromium"
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url))
const SCREENSHOT = join(ARTIFACTS, "authenticated.png")
const TTL_SECONDS = 6
/** The store refreshes a token at 90 % of its lifetime (`skewFraction` 0.1): 5.4 s into a 6 s token. */
const REFRESH_LEAD_MS = TTL_SECONDS * 100
const DENIED = "User did not give permission to the app."
const REFRESH_PATH = "/api/cryptohopper/token/refresh"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns something other than undefined; fails with `what` after `timeoutMs`. */
const until = async <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}

const text = async (page: Page, selector: string): Promise<string> =>
  ((await page.locator(selector).first().textContent({ timeout: 10_000 })) ?? "").trim()

/** Waits for a status pill to say exactly `label`. */
const pill = (page: Page, id: "hopper-status" | "fuse-status", label: string) =>
  page.locator(`#${id}`, { hasText: new RegExp(`^\\s*${label}\\s*$`) }).waitFor({ timeout: 20_000 })

// Generous: the two-tab test waits for a quiet moment and then a whole refresh cycle, on a busy CI machine.
describe("the demo's React page in Chromium", { timeout: 120_000 }, () => {
  let demo: Demo
  let base: string
  let browser: Browser
  let context: BrowserContext
  let tab: Page
  /** Every raw token the server held whenever the browser got an answer, and every body it got. */
  const rawTokens = new Set<string>()
  const bodies: Array<string> = []
  /** Every console error or warning and uncaught page error, in any tab, with where it happened. */
  const consoleProblems: Array<string> = []

  const collectTokens = () => {
    for (const key of demo.ledger.keys()) {
      const tokens = demo.ledger.entry(key)?.tokens
      if (tokens === undefined) continue
      rawTokens.add(Redacted.value(tokens.accessToken))
      if (tokens.refreshToken !== undefined) rawTokens.add(Redacted.value(tokens.refreshToken))
    }
  }

  /** The demo's page (the login brings the browser back there; a failed one adds `#cryptohopper`). */
  const home = (url: URL) => url.origin === base && url.pathname === "/"

  const hopperKeys = () => demo.ledger.keys().filter((k) => k.startsWith("cryptohopper:"))

  /** The only Cryptohopper connection in the store, with its raw access token. */
  const hopperEntry = () => {
    const keys = hopperKeys()
    if (keys.length !== 1) throw new Error(`expected one Cryptohopper connection, found ${keys.join(", ")}`)
    const entry = demo.ledger.entry(keys[0]!)!
    return { key: keys[0]!, entry, access: Redacted.value(entry.tokens.accessToken) }
  }

  const newContext = async (): Promise<BrowserContext> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" })
    ctx.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") {
        consoleProblems.push(`${msg.type()} at ${msg.page()?.url() ?? "?"}: ${msg.text()}`)
      }
    })
    ctx.on("weberror", (err) => consoleProblems.push(`uncaught: ${err.error().message}`))
    ctx.on("response", async (res) => {
      collectTokens()
      // Redirects have no body to read; everything else the browser received is kept.
      bodies.push(await res.text().catch(() => ""))
    })
    return ctx
  }

  /** Opens the page and waits until the Cryptohopper card knows where it stands. */
  const open = async (ctx: BrowserContext): Promise<Page> => {
    const page = await ctx.newPage()
    await page.goto(`${base}/`)
    await page
      .locator("#hopper-status", { hasText: /^\s*(Connected|Not connected)\s*$/ })
      .waitFor({ timeout: 20_000 })
    return page
  }

  /** What a page shows of the Cryptohopper token. */
  const shown = async (page: Page) => ({
    masked: await text(page, "#hopper-masked-token"),
    count: Number(await text(page, "#hopper-refresh-count")),
    expiresAt: await page.locator("#hopper-expires-at").getAttribute("datetime", { timeout: 10_000 }),
  })

  /**
   * Waits for a quiet moment: every tab shows the token the server holds, and its refresh is more
   * than 1.5 s away, so what happens next is not mixed up with a refresh already under way.
   */
  const quietMoment = (pages: ReadonlyArray<Page>) =>
    until(
      "every tab to show the same token well before its refresh",
      async () => {
        const all = await Promise.all(pages.map(shown))
        const first = all[0]!
        if (
          all.some(
            (s) => s.masked !== first.masked || s.count !== first.count || s.expiresAt !== first.expiresAt,
          )
        )
          return undefined
        if (hopperEntry().entry.refreshCount !== first.count) return undefined
        const dueIn = Date.parse(first.expiresAt!) - REFRESH_LEAD_MS - Date.now()
        return dueIn > 1_500 ? first : undefined
      },
      TTL_SECONDS * 4000,
    )

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium package ` +
          "(apt-get install chromium; scripts/bootstrap.sh and .ci/run install it). They fail rather than skip.",
      )
    }
    if (!existsSync(join(WEB_DIR, "index.html"))) {
      throw new Error(
        `The page is not built (${WEB_DIR} has no index.html): run \`pnpm --filter @grantflow/demo build\``,
      )
    }
    mkdirSync(ARTIFACTS, { recursive: true })
    rmSync(SCREENSHOT, { force: true })
    demo = await startDemo({
      port: 0,
      logger: false,
      // The server renews only once a token has expired: the refreshes this test sees are the page's.
      refreshSkewMs: 0,
      sandbox: { accessTokenTtlSeconds: { cryptohopper: TTL_SECONDS, cryptofuse: 60 } },
    })
    base = `http://127.0.0.1:${demo.port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      timeout: 60_000,
    })
    context = await newContext()
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })

  it("connects Cryptohopper: Connect, Approve on the sandbox's consent page, and back to the scopes, expiry and a masked token", async () => {
    tab = await open(context)
    await pill(tab, "hopper-status", "Not connected")
    expect(await tab.title()).toBe("grantflow demo")
    expect(hopperKeys()).toEqual([])
    // A second tab, open before anyone connects: it must follow when the first tab connects.
    const early = await open(context)
    await pill(early, "hopper-status", "Not connected")

    // Unticking every scope does not silently ask for some: Connect waits for a choice.
    const connect = tab.getByRole("button", { name: "Connect Cryptohopper" })
    const ticked = tab.locator("#cryptohopper input[name='scope']:checked")
    const defaults = await ticked.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))
    for (const value of defaults)
      await tab.locator(`#cryptohopper input[name='scope'][value='${value}']`).uncheck()
    expect(await connect.isDisabled()).toBe(true)
    expect(await text(tab, "#hopper-no-scope")).toBe("Tick at least one permission to connect.")
    for (const value of defaults)
      await tab.locator(`#cryptohopper input[name='scope'][value='${value}']`).check()
    expect(await connect.isEnabled()).toBe(true)

    await tab.getByRole("button", { name: "Connect Cryptohopper" }).click()
    await tab.waitForURL((url) => url.origin === demo.sandbox!.url, { timeout: 20_000 })
    expect(await tab.locator("#app-name").textContent()).toBe("grantflow demo")
    await tab.getByRole("button", { name: "Approve" }).click()

    await tab.waitForURL(home, { timeout: 20_000 })
    await pill(tab, "hopper-status", "Connected")
    // What the page shows is the stored token, masked (polled: a 6 s token may already be refreshed).
    const stored = () => {
      const { entry, access } = hopperEntry()
      return { masked: `${access.slice(0, 4)}…`, expiresAt: entry.tokens.expiresAt!.toISOString() }
    }
    const onPage = await until("the page to show the stored token", async () => {
      const [now, want] = [await shown(tab), stored()]
      return now.masked === want.masked && now.expiresAt === want.expiresAt ? now : undefined
    })
    expect(onPage.masked).toMatch(/^[A-Za-z0-9]{4}…$/)
    expect(await tab.locator("#hopper-scopes .chip").allTextContents()).toEqual(["read", "user"])
    await tab
      .getByRole("status")
      .filter({ hasText: "Connected to Cryptohopper with scopes: read, user." })
      .waitFor()
    expect(await text(tab, "#hopper-countdown")).toMatch(/^in \d s$|^due now/)
    // The tab opened before connecting heard of it (BroadcastChannel) and asked the server itself.
    await pill(early, "hopper-status", "Connected")
    await early.close()
    // Web Locks exist on this origin (127.0.0.1 is a secure context): the tab test below uses them.
    expect(await tab.evaluate(() => typeof navigator.locks?.request === "function")).toBe(true)
  })

  it("calls the Cryptohopper API through the server and shows the answers as tables", async () => {
    const apiCalls = demo.sandbox!.stats.requests("cryptohopper.api")
    const hopper = tab.locator("#cryptohopper")

    await hopper.getByRole("button", { name: "Hoppers" }).click()
    await hopper.locator(".result[data-path='/hopper'] table").waitFor()
    expect(await hopper.locator(".result tbody tr").count()).toBe(2)
    expect(await hopper.locator(".result tbody").textContent()).toMatch(
      /Sandbox BTC hopper[\s\S]*Sandbox ETH hopper/,
    )
    expect(await hopper.getByRole("columnheader").allTextContents()).toContain("Base currency")

    await hopper.getByRole("button", { name: "User" }).click()
    await hopper.locator(".result[data-path='/user/get']").waitFor()
    expect(await hopper.getByRole("row", { name: /Username/ }).textContent()).toContain("sandbox-user")

    await hopper.getByRole("button", { name: "BTC/USDT ticker" }).click()
    await hopper.locator(".result[data-path^='/exchange/ticker']").waitFor()
    expect(await hopper.getByRole("row", { name: /Last/ }).textContent()).toContain("64000.5")
    expect(await hopper.locator(".result .code").textContent()).toBe("200 OK")

    expect(demo.sandbox!.stats.requests("cryptohopper.api")).toBe(apiCalls + 3)
  })

  it("refreshes the token in the page once it is due, without reloading the page", async () => {
    let navigations = 0
    const onNavigate = () => navigations++
    tab.on("framenavigated", onNavigate)
    const refreshPosts: Array<Request> = []
    const onRequest = (req: Request) => {
      if (req.method() === "POST" && new URL(req.url()).pathname === REFRESH_PATH) refreshPosts.push(req)
    }
    tab.on("request", onRequest)
    try {
      const before = await shown(tab)
      const after = await until(
        "the page to show a refreshed token",
        async () => {
          const now = await shown(tab)
          return now.count > before.count && now.expiresAt !== before.expiresAt ? now : undefined
        },
        TTL_SECONDS * 3000,
      )
      expect(Date.parse(after.expiresAt!)).toBeGreaterThan(Date.parse(before.expiresAt!))
      // The page asked for it (the store's timer), no navigation happened, and what it shows is the new token.
      expect(refreshPosts.length).toBeGreaterThanOrEqual(1)
      expect(navigations).toBe(0)
      expect(hopperEntry().entry.refreshCount).toBeGreaterThanOrEqual(after.count)
      await until("the page to show the newest masked token", async () =>
        (await text(tab, "#hopper-masked-token")) === `${hopperEntry().access.slice(0, 4)}…`
          ? true
          : undefined,
      )
    } finally {
      tab.off("framenavigated", onNavigate)
      tab.off("request", onRequest)
    }
  })

  it("refreshes once for two tabs open at the same time, and both show the new token", async () => {
    const second = await open(context)
    await pill(second, "hopper-status", "Connected")
    const tabs = [tab, second]
    const posts: Array<{ tab: number; url: string }> = []
    const tokenGets: Array<number> = []
    tabs.forEach((page, i) =>
      page.on("request", (req) => {
        const path = new URL(req.url()).pathname
        if (req.method() === "POST" && path === REFRESH_PATH) posts.push({ tab: i, url: req.url() })
        if (req.method() === "GET" && path === "/api/cryptohopper/token") tokenGets.push(i)
      }),
    )

    const baseline = await quietMoment(tabs)
    posts.length = 0
    tokenGets.length = 0
    const tokenRequests = demo.sandbox!.stats.tokenRequests("cryptohopper")

    const next = await until(
      "both tabs to show the next refresh",
      async () => {
        const [a, b] = [await shown(tab), await shown(second)]
        return a.count > baseline.count && b.count > baseline.count ? [a, b] : undefined
      },
      TTL_SECONDS * 3000,
    )

    // One refresh request from one tab; the other adopted the token over BroadcastChannel.
    expect(posts).toHaveLength(1)
    expect(tokenGets).toEqual([])
    expect(demo.sandbox!.stats.tokenRequests("cryptohopper")).toBe(tokenRequests + 1)
    expect(hopperEntry().entry.refreshCount).toBe(baseline.count + 1)
    for (const shownNow of next) expect(shownNow.count).toBe(baseline.count + 1)
    const masked = `${hopperEntry().access.slice(0, 4)}…`
    expect(await text(tab, "#hopper-masked-token")).toBe(masked)
    expect(await text(second, "#hopper-masked-token")).toBe(masked)
    expect(next[0]!.expiresAt).toBe(next[1]!.expiresAt)
    expect(next[0]!.expiresAt).not.toBe(baseline.expiresAt)
  })

  it("gets the app's Cryptofuse token and lists payments and rates in its panel", async () => {
    const fuse = tab.locator("#cryptofuse")
    await pill(tab, "fuse-status", "No token yet")
    const tokenRequests = demo.sandbox!.stats.tokenRequests("cryptofuse")

    await fuse.getByRole("button", { name: "Get token" }).click()
    await pill(tab, "fuse-status", "Token ready")
    const key = demo.ledger.keys().find((k) => k.startsWith("cryptofuse:"))!
    const access = Redacted.value(demo.ledger.entry(key)!.tokens.accessToken)
    expect(await text(tab, "#fuse-masked-token")).toBe(`${access.slice(0, 4)}…`)
    expect(await tab.locator("#fuse-scopes .chip").allTextContents()).toEqual(["read"])

    await fuse.getByRole("button", { name: "Rates" }).click()
    await fuse.locator(".result[data-path='/rates/']").waitFor()
    expect(await fuse.getByRole("row", { name: /BTC/ }).textContent()).toContain("64000.50")

    await fuse.getByRole("button", { name: "Payments" }).click()
    await fuse.locator(".result[data-path='/payments/'] table").waitFor()
    expect(await fuse.locator(".result tbody tr").count()).toBe(10)
    expect(await fuse.locator(".result tbody").textContent()).toContain("Seeded payment 1")
    expect(await fuse.locator(".result caption").textContent()).toContain("12 in total")
    // One client-credentials request served the token and both calls.
    expect(demo.sandbox!.stats.tokenRequests("cryptofuse")).toBe(tokenRequests + 1)

    await tab.locator("#cryptohopper").getByRole("button", { name: "Hoppers" }).click()
    await tab.locator("#cryptohopper .result[data-path='/hopper'] table").waitFor()
    await pill(tab, "hopper-status", "Connected")
    await tab.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(existsSync(SCREENSHOT)).toBe(true)
  })

  it("disconnects: the sandbox revokes the tokens and both tabs go back to Connect", async () => {
    const [, second] = context.pages()
    const secondAsked: Array<string> = []
    second!.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/api/cryptohopper/")) secondAsked.push(req.url())
    })
    await quietMoment([tab, second!])
    secondAsked.length = 0
    const { key, access } = hopperEntry()

    await tab.locator("#cryptohopper").getByRole("button", { name: "Disconnect" }).click()
    await pill(tab, "hopper-status", "Not connected")
    await tab
      .getByRole("status")
      .filter({ hasText: "the provider revoked the access and refresh tokens" })
      .waitFor({ timeout: 10_000 })
    await tab.getByRole("button", { name: "Connect Cryptohopper" }).waitFor()
    // The other tab hears of the logout over BroadcastChannel, without asking the server.
    await pill(second!, "hopper-status", "Not connected")
    expect(secondAsked).toEqual([])
    expect(demo.ledger.entry(key)).toBeUndefined()

    const refused = await fetch(`${demo.sandbox!.cryptohopper.apiBase}/hopper`, {
      headers: { "access-token": access },
    })
    expect(refused.status).toBe(401)
  })

  it("asks for the ticked scopes and shows Cryptohopper's own message when the person clicks Deny", async () => {
    const denying = await newContext()
    const connections = hopperKeys()
    try {
      const page = await open(denying)
      // The scopes ticked on the page are the ones the consent page is asked for.
      await page.getByRole("checkbox", { name: /trade/ }).check()
      await page.getByRole("button", { name: "Connect Cryptohopper" }).click()
      await page.waitForURL((url) => url.origin === demo.sandbox!.url, { timeout: 20_000 })
      expect(new URL(page.url()).searchParams.get("scope")).toBe("read,user,trade")
      await page.getByRole("button", { name: "Deny" }).click()

      await page.waitForURL(home, { timeout: 20_000 })
      const alert = page.getByRole("alert").filter({ hasText: DENIED })
      await alert.waitFor({ timeout: 20_000 })
      expect(await alert.textContent()).toContain("Cryptohopper did not connect")
      await pill(page, "hopper-status", "Not connected")
      await page.getByRole("button", { name: "Connect Cryptohopper" }).waitFor()
      expect(hopperKeys()).toEqual(connections)
    } finally {
      await denying.close()
    }
  })

  it("never gave the browser a raw access or refresh token", async () => {
    collectTokens()
    expect(rawTokens.size).toBeGreaterThan(3)
    expect(bodies.length).toBeGreaterThan(20)
    const pages = await Promise.all(context.pages().map((p) => p.content()))
    for (const body of [...bodies, ...pages]) {
      for (const token of rawTokens) expect(body.includes(token)).toBe(false)
    }
  })

  it("leaves the browser console without errors or warnings through every step above", () => {
    // Signed out is a normal state (204, not 401), the consent page has an icon, nothing throws.
    expect(consoleProblems).toEqual([])
  })
})
