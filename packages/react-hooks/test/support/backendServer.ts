/**
 * A real HTTP server implementing the backend token contract of the README (what the demo serves
 * over its session), with switches for the failures the tests need. Node's fetch talks to it
 * from jsdom, so no CORS is involved: jsdom's global fetch here is Node's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

// Captured before any test installs fake timers: the server runs in the test's process.
const realSetTimeout = globalThis.setTimeout

export interface BackendServer {
  readonly origin: string
  readonly tokenUrl: string
  readonly loginUrl: string
  readonly logoutUrl: string
  /** Behaviour switches. */
  signedIn: boolean
  /** Lifetime of issued tokens. */
  lifetimeMs: number
  /** What GET tokenUrl answers when not "ok". */
  tokenMode: "ok" | "json-500" | "html-502" | "no-content"
  /** What POST refresh answers when not "ok". */
  refreshMode: "ok" | "invalid_grant"
  /** How long a refresh takes, so two concurrent refreshes really overlap. */
  refreshDelayMs: number
  readonly counts: { tokenGets: number; refreshPosts: number; logoutPosts: number }
  /** For each refresh: whether the token it replaced had not expired yet when it arrived. */
  readonly refreshedBeforeExpiry: boolean[]
  readonly current: () => { accessToken: string; expiresAt: number } | undefined
  close(): Promise<void>
}

export const startBackendServer = async (): Promise<BackendServer> => {
  let issued = 0
  let token: { accessToken: string; expiresAt: number; scopes: string[] } | undefined
  const issue = () => {
    issued++
    token = {
      accessToken: `at-${issued}`,
      expiresAt: Date.now() + state.lifetimeMs,
      scopes: ["read", "trade"],
    }
    return token
  }
  const body = (t: NonNullable<typeof token>) => ({
    accessToken: t.accessToken,
    expiresAt: new Date(t.expiresAt).toISOString(),
    scopes: t.scopes,
    tokenType: "Bearer",
  })
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" })
    res.end(JSON.stringify(value))
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    for await (const _ of req) {
      // drain
    }
    const path = new URL(req.url ?? "/", "http://x").pathname
    if (req.method === "GET" && path === "/auth/token") {
      state.counts.tokenGets++
      if (state.tokenMode === "json-500")
        return json(res, 500, { error: "TransportError", message: "upstream unreachable" })
      if (state.tokenMode === "no-content") {
        res.writeHead(204)
        return res.end()
      }
      if (state.tokenMode === "html-502") {
        res.writeHead(502, { "content-type": "text/html" })
        return res.end("<html><body>Bad gateway at-secret-looking-text</body></html>")
      }
      if (!state.signedIn) return json(res, 401, { error: "AuthorizationError", message: "Not signed in" })
      return json(res, 200, body(token ?? issue()))
    }
    if (req.method === "POST" && path === "/auth/token/refresh") {
      state.counts.refreshPosts++
      state.refreshedBeforeExpiry.push(token !== undefined && Date.now() < token.expiresAt)
      if (state.refreshDelayMs > 0) await new Promise((r) => realSetTimeout(r, state.refreshDelayMs))
      if (!state.signedIn) return json(res, 401, { error: "AuthorizationError", message: "Not signed in" })
      if (state.refreshMode === "invalid_grant") {
        return json(res, 400, {
          error: "OAuthServerError",
          code: "invalid_grant",
          message: "The refresh token was revoked",
        })
      }
      return json(res, 200, body(issue()))
    }
    if (req.method === "POST" && path === "/auth/logout") {
      state.counts.logoutPosts++
      state.signedIn = false
      token = undefined
      res.writeHead(204)
      return res.end()
    }
    json(res, 404, { error: "InvalidResponse", message: "no such route" })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const state: BackendServer = {
    origin,
    tokenUrl: `${origin}/auth/token`,
    loginUrl: `${origin}/auth/login`,
    logoutUrl: `${origin}/auth/logout`,
    signedIn: true,
    lifetimeMs: 60_000,
    tokenMode: "ok",
    refreshMode: "ok",
    refreshDelayMs: 0,
    counts: { tokenGets: 0, refreshPosts: 0, logoutPosts: 0 },
    refreshedBeforeExpiry: [],
    current: () => token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return state
}
