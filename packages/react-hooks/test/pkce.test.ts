import { cleanup, renderHook, waitFor } from "@testing-library/react"
import { StrictMode, createElement, type ReactNode } from "react"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest"
import {
  OAuthProvider,
  createTokenController,
  pkceSource,
  useOAuthToken,
  type PkceSourceOptions,
  type TokenController,
} from "../src/index.js"
import { deriveCodeChallenge } from "../src/internal/pkce.js"
import { startAuthorizationServer, type AuthorizationServer } from "./support/authorizationServer.js"

const clientId = "spa-client"
// jsdom's document lives at http://localhost:3000/, so the redirect URI is a page of "this app".
const redirectUri = "http://localhost:3000/callback"
let server: AuthorizationServer
const stores: TokenController[] = []

beforeAll(async () => {
  server = await startAuthorizationServer(clientId)
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.deny = false
  server.keepRefreshToken = false
  server.scopeDelimiter = " "
  server.expiresIn = "3600"
  server.tokenRequests.length = 0
  sessionStorage.clear()
  localStorage.clear()
  history.replaceState(null, "", "/")
})
afterEach(() => {
  cleanup()
  for (const s of stores.splice(0)) s.dispose()
})

const options = (extra: Partial<PkceSourceOptions> = {}): PkceSourceOptions => ({
  authorizationEndpoint: server.authorizationEndpoint,
  tokenEndpoint: server.tokenEndpoint,
  clientId,
  redirectUri,
  scopes: ["read", "trade"],
  ...extra,
})
const store = (o: PkceSourceOptions) => {
  const s = createTokenController(pkceSource(o))
  stores.push(s)
  return s
}

/** login() in one page, the authorization server's redirect, and the callback URL it sends the browser to. */
const authorize = async (o = options()) => {
  const visited: string[] = []
  await store({ ...o, navigate: (url) => visited.push(url) }).login()
  expect(visited).toHaveLength(1)
  const res = await fetch(visited[0]!, { redirect: "manual" })
  expect(res.status).toBe(302)
  return { authorizationUrl: new URL(visited[0]!), callback: new URL(res.headers.get("location")!) }
}

/** What the browser does with the redirect: the app loads again at the callback URL. */
const landOn = (url: URL) => history.replaceState(null, "", url.pathname + url.search)

const signIn = async (o = options()) => {
  const { callback } = await authorize(o)
  landOn(callback)
  const s = store(o)
  await s.getValidToken()
  return s
}

describe("pkceSource", () => {
  test("derives the RFC 7636 Appendix B code challenge from its verifier", async () => {
    await expect(deriveCodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).resolves.toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    )
  })

  test("login sends an S256 challenge of a fresh verifier, a state, the client and the redirect URI", async () => {
    const { authorizationUrl: url } = await authorize()
    const q = url.searchParams
    expect(q.get("response_type")).toBe("code")
    expect(q.get("client_id")).toBe(clientId)
    expect(q.get("redirect_uri")).toBe(redirectUri)
    expect(q.get("scope")).toBe("read trade")
    expect(q.get("code_challenge_method")).toBe("S256")
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{22,}$/)
    const pending = JSON.parse(
      sessionStorage.getItem(`grantflow:pkce:${clientId}@${server.authorizationEndpoint}`)!,
    )
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(pending.state).toBe(q.get("state"))
    expect(q.get("code_challenge")).toBe(await deriveCodeChallenge(pending.verifier))
    expect(url.toString()).not.toContain(pending.verifier)
    expect(localStorage.length).toBe(0)
  })

  test("clamps an absurd expires_in to one year and reads a negative one as an unknown lifetime, as core does", async () => {
    server.expiresIn = 1e13
    const year = 365 * 24 * 3600 * 1000
    const before = Date.now()
    const clamped = (await signIn()).getSnapshot().expiresAt
    expect(clamped).toBeInstanceOf(Date)
    expect(clamped!.getTime()).toBeGreaterThanOrEqual(before + year)
    expect(clamped!.getTime()).toBeLessThanOrEqual(Date.now() + year)
    sessionStorage.clear()
    localStorage.clear()
    history.replaceState(null, "", "/")
    server.expiresIn = -60
    expect((await signIn()).getSnapshot().expiresAt).toBeNull()
  })

  test("signs in from the callback: checks state, exchanges the code with a form POST, strips the query", async () => {
    const s = await signIn(options({ scopeDelimiter: "," }))
    const snap = s.getSnapshot()
    expect(snap.status).toBe("authenticated")
    expect(snap.accessToken).toMatch(/^pkce-at-\d+$/)
    expect(snap.tokenType).toBe("Bearer")
    expect(snap.scopes).toEqual(["read", "trade"])
    expect(snap.expiresAt).toBeInstanceOf(Date)
    expect(location.pathname).toBe("/callback")
    expect(location.search).toBe("")
    const [exchange] = server.tokenRequests
    expect(exchange).toMatchObject({
      grant_type: "authorization_code",
      client_id: clientId,
      redirect_uri: redirectUri,
    })
    expect(exchange?.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(exchange).not.toHaveProperty("client_secret")
  })

  test("rejects a callback whose state does not match the pending sign-in, without a token request", async () => {
    const { callback } = await authorize()
    callback.searchParams.set("state", "forged-state-value-0000000")
    landOn(callback)
    const s = store(options())
    await expect(s.getValidToken()).rejects.toMatchObject({ _tag: "StateMismatch" })
    expect(s.getSnapshot().status).toBe("error")
    expect(s.getSnapshot().error?.message).toContain("mismatch")
    expect(server.tokenRequests).toHaveLength(0)
    expect(location.search).toBe("")
  })

  test("rejects a callback whose RFC 9207 iss names another server, as core does, without a token request", async () => {
    const { callback } = await authorize()
    callback.searchParams.set("iss", "https://mix-up.example")
    landOn(callback)
    const s = store({ ...options(), issuer: "https://as.example" })
    await expect(s.getValidToken()).rejects.toMatchObject({ _tag: "StateMismatch" })
    expect(s.getSnapshot().error?.message).toContain("issuer")
    expect(server.tokenRequests).toHaveLength(0)
  })

  test("reads a comma-separated scope answer as core does", async () => {
    // The server joins with commas although the app sends spaces (Cryptohopper answers this way).
    server.scopeDelimiter = ","
    const { callback } = await authorize()
    landOn(callback)
    const s = store(options())
    await s.getValidToken()
    expect(s.getSnapshot().scopes).toEqual(["read", "trade"])
  })

  test("rejects a callback whose state was already used", async () => {
    const { callback } = await authorize()
    landOn(callback)
    await store(options()).getValidToken()
    expect(server.tokenRequests).toHaveLength(1)
    landOn(callback)
    const replay = store(options())
    await expect(replay.getValidToken()).rejects.toMatchObject({ _tag: "StateMismatch" })
    expect(replay.getSnapshot().error?.message).toContain("unknown")
    expect(server.tokenRequests).toHaveLength(1)
  })

  test("reports a denied consent as AuthorizationError with the server's description", async () => {
    server.deny = true
    const { callback } = await authorize()
    landOn(callback)
    const s = store(options())
    await expect(s.getValidToken()).rejects.toMatchObject({
      _tag: "AuthorizationError",
      code: "access_denied",
    })
    expect(s.getSnapshot().error?.message).toContain("The user declined")
    expect(server.tokenRequests).toHaveLength(0)
  })

  test("reports the token endpoint's refusal as OAuthServerError", async () => {
    const { callback } = await authorize()
    const key = `grantflow:pkce:${clientId}@${server.authorizationEndpoint}`
    const pending = JSON.parse(sessionStorage.getItem(key)!)
    sessionStorage.setItem(key, JSON.stringify({ ...pending, verifier: "x".repeat(43) }))
    landOn(callback)
    const s = store(options())
    await expect(s.getValidToken()).rejects.toMatchObject({
      _tag: "OAuthServerError",
      code: "invalid_grant",
      status: 400,
    })
    expect(s.getSnapshot().error?.message).toContain("PKCE verification failed")
  })

  test("refreshes with the rotated refresh token and keeps it for the next refresh", async () => {
    const s = await signIn()
    const issued = [s.getSnapshot().accessToken]
    await s.refresh()
    issued.push(s.getSnapshot().accessToken)
    await s.refresh()
    issued.push(s.getSnapshot().accessToken)
    expect(new Set(issued).size).toBe(3)
    expect(s.getSnapshot().status).toBe("authenticated")
    const grants = server.tokenRequests.map((r) => r.grant_type)
    expect(grants).toEqual(["authorization_code", "refresh_token", "refresh_token"])
    expect(server.tokenRequests[2]?.refresh_token).not.toBe(server.tokenRequests[1]?.refresh_token)
    expect(server.liveRefreshTokens.has(server.tokenRequests[2]!.refresh_token!)).toBe(false)
  })

  test("keeps the old refresh token when a refresh answer has none", async () => {
    server.keepRefreshToken = true
    const s = await signIn()
    await s.refresh()
    await s.refresh()
    expect(s.getSnapshot().status).toBe("authenticated")
    expect(server.tokenRequests[2]?.refresh_token).toBe(server.tokenRequests[1]?.refresh_token)
  })

  test("a reload of the same tab resumes the session from sessionStorage without a request", async () => {
    const first = await signIn()
    history.replaceState(null, "", "/")
    const again = store(options())
    await expect(again.getValidToken()).resolves.toBe(first.getSnapshot().accessToken)
    expect(server.tokenRequests).toHaveLength(1)
  })

  test("logout forgets the tab's tokens", async () => {
    const s = await signIn()
    await s.logout()
    expect(s.getSnapshot().status).toBe("idle")
    history.replaceState(null, "", "/")
    await expect(store(options()).getValidToken()).resolves.toBeNull()
    expect(sessionStorage.length).toBe(0)
  })

  test("exchanges the code exactly once when the callback page mounts under StrictMode", async () => {
    const { callback } = await authorize()
    landOn(callback)
    const source = pkceSource(options())
    const { result } = renderHook(() => useOAuthToken(), {
      wrapper: ({ children }: { children: ReactNode }) =>
        createElement(StrictMode, null, createElement(OAuthProvider, { source }, children)),
    })
    await waitFor(() => expect(result.current.status).toBe("authenticated"))
    expect(server.tokenRequests.map((r) => r.grant_type)).toEqual(["authorization_code"])
  })
})
