import { cleanup, renderHook, waitFor, act } from "@testing-library/react"
import { StrictMode, type ReactNode } from "react"
import { inspect } from "node:util"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest"
import {
  OAuthProvider,
  backendSource,
  createTokenController,
  useOAuthToken,
  type TokenController,
} from "../src/index.js"
import { startBackendServer, type BackendServer } from "./support/backendServer.js"

let server: BackendServer
const stores: TokenController[] = []

beforeAll(async () => {
  server = await startBackendServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.signedIn = true
  server.lifetimeMs = 60_000
  server.tokenMode = "ok"
  server.refreshMode = "ok"
  server.refreshDelayMs = 0
  server.counts.tokenGets = server.counts.refreshPosts = server.counts.logoutPosts = 0
  server.refreshedBeforeExpiry.length = 0
  localStorage.clear()
})
afterEach(() => {
  cleanup()
  for (const s of stores.splice(0)) s.dispose()
  vi.useRealTimers()
})

const source = (navigate?: (url: string) => void) =>
  backendSource({
    tokenUrl: server.tokenUrl,
    loginUrl: server.loginUrl,
    logoutUrl: server.logoutUrl,
    ...(navigate ? { navigate } : {}),
  })

const store = (...args: Parameters<typeof createTokenController>) => {
  const s = createTokenController(...args)
  stores.push(s)
  return s
}

const wrapperFor =
  (s: TokenController, strict = false) =>
  ({ children }: { children: ReactNode }) =>
    strict ? (
      <StrictMode>
        <OAuthProvider store={s}>{children}</OAuthProvider>
      </StrictMode>
    ) : (
      <OAuthProvider store={s}>{children}</OAuthProvider>
    )

/** Sends one request to the server and waits for its answer, so requests sent before have arrived. */
const roundTrip = () => fetch(`${server.origin}/ping`).then((r) => r.text())

describe("backendSource with useOAuthToken", () => {
  test("goes idle -> loading -> authenticated and exposes token, expiry and scopes", async () => {
    const seen: string[] = []
    const { result } = renderHook(
      () => {
        const t = useOAuthToken()
        if (seen.at(-1) !== t.status) seen.push(t.status)
        return t
      },
      { wrapper: ({ children }) => <OAuthProvider source={source()}>{children}</OAuthProvider> },
    )
    await waitFor(() => expect(result.current.status).toBe("authenticated"))
    expect(seen).toEqual(["idle", "loading", "authenticated"])
    const issued = server.current()
    expect(result.current.accessToken).toBe(issued?.accessToken)
    expect(result.current.expiresAt?.getTime()).toBe(issued?.expiresAt)
    expect(result.current.scopes).toEqual(["read", "trade"])
    expect(result.current.tokenType).toBe("Bearer")
    expect(result.current.error).toBeNull()
  })

  test("treats a 401 from the token endpoint as signed out (idle), not as an error", async () => {
    server.signedIn = false
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await waitFor(() => expect(server.counts.tokenGets).toBe(1))
    await waitFor(() => expect(result.current.status).toBe("idle"))
    expect(result.current.accessToken).toBeNull()
    expect(result.current.error).toBeNull()
    await expect(s.getValidToken()).resolves.toBeNull()
  })

  test("reports a 500 answer as the typed error the server named, with its message", async () => {
    server.tokenMode = "json-500"
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await waitFor(() => expect(result.current.status).toBe("error"))
    expect(result.current.error).toMatchObject({
      _tag: "TransportError",
      message: "upstream unreachable",
      status: 500,
    })
    await expect(s.getValidToken()).rejects.toMatchObject({ _tag: "TransportError" })
  })

  test("reports an HTML answer as InvalidResponse without repeating the body", async () => {
    server.tokenMode = "html-502"
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await waitFor(() => expect(result.current.status).toBe("error"))
    const error = result.current.error
    expect(error?._tag).toBe("InvalidResponse")
    expect(error?.status).toBe(502)
    expect(error?.message).toContain("text/html")
    expect(error?.message).not.toContain("secret")
  })

  test("reports a server that does not answer as a TransportError", async () => {
    const gone = await startBackendServer()
    await gone.close()
    const s = store(
      backendSource({ tokenUrl: gone.tokenUrl, loginUrl: gone.loginUrl, logoutUrl: gone.logoutUrl }),
    )
    await expect(s.getValidToken()).rejects.toMatchObject({ _tag: "TransportError" })
    expect(s.getSnapshot().status).toBe("error")
    expect(s.getSnapshot().error?.message).toContain(`GET ${gone.tokenUrl}`)
  })

  test("refreshes on a timer before the token expires", async () => {
    // Fake clock and timers (the server shares them: it runs in this process); the network stays real.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
    // 60 s lifetime: the skew (60 s) is capped at half the lifetime, as in core: refresh at about 30 s.
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await vi.waitFor(() => expect(result.current.status).toBe("authenticated"))
    const first = result.current.accessToken
    await act(() => vi.advanceTimersByTimeAsync(27_000))
    await roundTrip()
    expect(server.counts.refreshPosts).toBe(0)
    await act(() => vi.advanceTimersByTimeAsync(5_000))
    await vi.waitFor(() => expect(result.current.accessToken).not.toBe(first))
    expect(server.counts.refreshPosts).toBe(1)
    expect(server.refreshedBeforeExpiry).toEqual([true])
    expect(result.current.status).toBe("authenticated")
    expect(result.current.accessToken).toBe(server.current()?.accessToken)
  })

  test("returns the same snapshot object between renders until the state changes", async () => {
    const s = store(source())
    const { result, rerender } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await waitFor(() => expect(result.current.status).toBe("authenticated"))
    const before = result.current
    rerender()
    rerender()
    expect(result.current).toBe(before)
    expect(s.getSnapshot()).toBe(before)
    await act(() => s.refresh())
    expect(result.current).not.toBe(before)
    expect(result.current.login).toBe(before.login)
    expect(result.current.getValidToken).toBe(before.getValidToken)
  })

  test("mounts, unmounts and mounts again under StrictMode with a single token request", async () => {
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s, true) })
    await waitFor(() => expect(result.current.status).toBe("authenticated"))
    await roundTrip()
    expect(server.counts.tokenGets).toBe(1)
  })

  test("creates its store once under StrictMode when given a source", async () => {
    const { result } = renderHook(() => useOAuthToken(), {
      wrapper: ({ children }) => (
        <StrictMode>
          <OAuthProvider source={source()}>{children}</OAuthProvider>
        </StrictMode>
      ),
    })
    await waitFor(() => expect(result.current.status).toBe("authenticated"))
    await roundTrip()
    expect(server.counts.tokenGets).toBe(1)
  })

  test("getValidToken refreshes first when the token is due", async () => {
    // maxSkewFraction 1: a token is due as soon as it arrives.
    const s = store(source(), { maxSkewFraction: 1 })
    const token = await s.getValidToken()
    expect(server.counts.tokenGets).toBe(1)
    expect(server.counts.refreshPosts).toBe(1)
    expect(token).toBe(server.current()?.accessToken)
    expect(token).toBe("at-" + String(Number(server.current()?.accessToken.slice(3))))
  })

  test("getValidToken hands out the cached token while it is not due", async () => {
    const s = store(source())
    const a = await s.getValidToken()
    const b = await s.getValidToken()
    expect(a).toBe(server.current()?.accessToken)
    expect(b).toBe(a)
    expect(server.counts.tokenGets).toBe(1)
    expect(server.counts.refreshPosts).toBe(0)
  })

  test("a failed refresh sets status error with the typed error", async () => {
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await waitFor(() => expect(result.current.status).toBe("authenticated"))
    server.refreshMode = "invalid_grant"
    await act(() => result.current.refresh())
    expect(result.current.status).toBe("error")
    expect(result.current.accessToken).toBeNull()
    expect(result.current.error).toMatchObject({
      _tag: "OAuthServerError",
      code: "invalid_grant",
      status: 400,
      message: "The refresh token was revoked",
    })
  })

  test("a refresh answered 401 means the session ended: idle", async () => {
    const s = store(source())
    await s.getValidToken()
    server.signedIn = false
    await s.refresh()
    expect(s.getSnapshot().status).toBe("idle")
    expect(s.getSnapshot().error).toBeNull()
  })

  test("two stores sharing the lock refresh once and both end with the new token", async () => {
    // jsdom has no navigator.locks, so this exercises the localStorage lease; the Web Locks path runs
    // in the browser test.
    expect(navigator.locks).toBeUndefined()
    server.refreshDelayMs = 100
    const a = store(source())
    const b = store(source())
    const unsubscribe = [a.subscribe(() => {}), b.subscribe(() => {})]
    await Promise.all([a.getValidToken(), b.getValidToken()])
    const old = a.getSnapshot().accessToken
    expect(b.getSnapshot().accessToken).toBe(old)
    await Promise.all([a.refresh(), b.refresh()])
    expect(server.counts.refreshPosts).toBe(1)
    const fresh = server.current()?.accessToken
    expect(fresh).not.toBe(old)
    expect(a.getSnapshot().accessToken).toBe(fresh)
    expect(b.getSnapshot().accessToken).toBe(fresh)
    expect(b.getSnapshot().status).toBe("authenticated")
    for (const u of unsubscribe) u()
  })

  test("a store that receives another tab's token updates without refreshing itself", async () => {
    const a = store(source())
    const b = store(source())
    const unsubscribe = [a.subscribe(() => {}), b.subscribe(() => {})]
    await Promise.all([a.getValidToken(), b.getValidToken()])
    await a.refresh()
    await vi.waitFor(() => expect(b.getSnapshot().accessToken).toBe(server.current()?.accessToken))
    expect(server.counts.refreshPosts).toBe(1)
    for (const u of unsubscribe) u()
  })

  test("a store that never signed in ignores the tokens other stores announce", async () => {
    const member = store(source())
    const witness = store(source())
    const stop = [member.subscribe(() => {}), witness.subscribe(() => {})]
    await Promise.all([member.getValidToken(), witness.getValidToken()])
    // Signed in elsewhere before this store loaded, and signed out by the time it asks.
    server.signedIn = false
    const outsider = store(source())
    const stopOutsider = outsider.subscribe(() => {})
    await outsider.getValidToken()
    expect(outsider.getSnapshot().status).toBe("idle")
    server.signedIn = true
    await member.refresh()
    // The same announcement reached the witness, a store with a session, which took the token.
    await vi.waitFor(() => expect(witness.getSnapshot().accessToken).toBe(member.getSnapshot().accessToken))
    expect(server.counts.refreshPosts).toBe(1)
    expect(outsider.getSnapshot().status).toBe("idle")
    expect(outsider.getSnapshot().accessToken).toBeNull()
    stopOutsider()
    for (const u of stop) u()
  })

  test("a signed-out store loads its own token when another store signs in (a tab opened before connecting)", async () => {
    server.signedIn = false
    const early = store(source())
    const stopEarly = early.subscribe(() => {})
    await early.getValidToken()
    expect(early.getSnapshot().status).toBe("idle")
    expect(server.counts.tokenGets).toBe(1)

    // Another tab comes back from the login redirect: the shared cookie now carries a session.
    server.signedIn = true
    const connected = store(source())
    const stopConnected = connected.subscribe(() => {})
    await connected.getValidToken()

    await vi.waitFor(() => expect(early.getSnapshot().status).toBe("authenticated"))
    // It asked the server itself (a third GET), rather than taking a token from the channel.
    expect(server.counts.tokenGets).toBe(3)
    expect(early.getSnapshot().accessToken).toBe(connected.getSnapshot().accessToken)
    stopEarly()
    stopConnected()
  })

  test("treats a 204 from the token endpoint as signed out, like a 401", async () => {
    server.tokenMode = "no-content"
    const s = store(source())
    const { result } = renderHook(() => useOAuthToken(), { wrapper: wrapperFor(s) })
    await waitFor(() => expect(server.counts.tokenGets).toBe(1))
    await waitFor(() => expect(result.current.status).toBe("idle"))
    expect(result.current.error).toBeNull()
  })

  test("logout POSTs the logout URL, goes idle, and logs out the other stores", async () => {
    const a = store(source())
    const b = store(source())
    const unsubscribe = [a.subscribe(() => {}), b.subscribe(() => {})]
    await Promise.all([a.getValidToken(), b.getValidToken()])
    expect(b.getSnapshot().status).toBe("authenticated")
    await a.logout()
    expect(server.counts.logoutPosts).toBe(1)
    expect(a.getSnapshot().status).toBe("idle")
    await vi.waitFor(() => expect(b.getSnapshot().status).toBe("idle"))
    expect(b.getSnapshot().accessToken).toBeNull()
    for (const u of unsubscribe) u()
  })

  test("login navigates to the login URL", async () => {
    const visited: string[] = []
    const s = store(source((url) => visited.push(url)))
    await s.login()
    expect(visited).toEqual([server.loginUrl])
  })

  test("keeps the access token out of JSON, String() and util.inspect", async () => {
    const s = store(source())
    const token = await s.getValidToken()
    const snap = s.getSnapshot()
    expect(token).toMatch(/^at-/)
    expect(snap.accessToken).toBe(token)
    expect(JSON.stringify(snap)).not.toContain(token!)
    expect(JSON.stringify(snap)).toContain("<redacted>")
    expect(String(snap)).toBe("OAuthToken(authenticated)")
    expect(inspect(snap)).not.toContain(token!)
    expect(Object.keys(snap)).not.toContain("accessToken")
  })

  test("useOAuthToken outside an OAuthProvider throws a clear error", () => {
    // React logs the render error too; keep the output clean.
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {})
    expect(() => renderHook(() => useOAuthToken())).toThrow(/OAuthProvider/)
    quiet.mockRestore()
  })
})
