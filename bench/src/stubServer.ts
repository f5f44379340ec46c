/**
 * A minimal token endpoint on node:http, so that what a benchmark measures is the client's own
 * cost and behaviour, not a real authorization server's. It answers the `client_credentials` and
 * `refresh_token` grants with a small fixed-shape JSON body and counts what reaches it.
 *
 * Rotation mode makes every refresh token valid once: a reuse gets `400 invalid_grant` and is
 * counted. `GET /resource` checks an access token the way an API would (known and not expired), so
 * a client that hands out stale tokens shows up too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export const CLIENT_ID = "bench-client"
export const CLIENT_SECRET = "bench-secret"

export interface StubOptions {
  /** `expires_in` of every access token, in seconds. */
  expiresIn: number
  /** A refresh token is valid once; reusing it answers `400 invalid_grant`. */
  rotation: boolean
  /** Added latency before each token answer, in ms (0 = answer at once). */
  delayMs: number
  /** Up to this much more latency, drawn per answer (a realistic spread of server time). */
  delayJitterMs: number
}

export interface StubStats {
  /** Every POST to /token, whatever its outcome. */
  tokenRequests: number
  clientCredentials: number
  refreshes: number
  /** `invalid_grant` answers (a refresh token that was unknown or already used). */
  invalidGrant: number
  /** Requests rejected for anything else (bad client, bad body). */
  otherErrors: number
  /** GET /resource calls, and those that carried an unknown or expired access token. */
  resourceCalls: number
  resourceRejected: number
  /** Of the rejected ones: how long past its expiry the stalest known token was presented, in ms. */
  resourceLatestPastExpiryMs: number
  /**
   * Of the rejected ones: tokens already expired when the client handed them out (the caller sends
   * `x-bench-handed-out: <epoch ms>`; same machine, same clock). The others expired on the way.
   */
  resourceStaleWhenHandedOut: number
  /** Refresh tokens presented more than once (with rotation, each such request spends a dead token). */
  refreshTokensReused: number
}

export interface Stub {
  readonly url: string
  readonly tokenEndpoint: string
  readonly stats: StubStats
  configure(options: Partial<StubOptions>): void
  /** Zeroes the counters and forgets every issued token. */
  reset(): void
  /** Issues a token set outside the HTTP path, e.g. the session a user got at login. */
  issue(withRefreshToken: boolean): TokenBody
  close(): Promise<void>
}

export interface TokenBody {
  access_token: string
  token_type: "Bearer"
  expires_in: number
  scope: string
  refresh_token?: string
}

const emptyStats = (): StubStats => ({
  tokenRequests: 0,
  clientCredentials: 0,
  refreshes: 0,
  invalidGrant: 0,
  otherErrors: 0,
  resourceCalls: 0,
  resourceRejected: 0,
  resourceLatestPastExpiryMs: 0,
  resourceStaleWhenHandedOut: 0,
  refreshTokensReused: 0,
})

export async function startStub(initial: Partial<StubOptions> = {}): Promise<Stub> {
  const options: StubOptions = { expiresIn: 3600, rotation: false, delayMs: 0, delayJitterMs: 0, ...initial }
  let stats = emptyStats()
  let counter = 0
  // Access tokens -> expiry (ms since epoch); refresh tokens that may still be used.
  let accessTokens = new Map<string, number>()
  let refreshTokens = new Set<string>()
  // Every refresh token ever presented, to count the ones sent twice.
  let presentedRefreshTokens = new Set<string>()

  const issue = (withRefreshToken: boolean): TokenBody => {
    const n = ++counter
    const body: TokenBody = {
      access_token: `at-${n}-${Math.random().toString(36).slice(2, 10)}`,
      token_type: "Bearer",
      expires_in: options.expiresIn,
      scope: "read",
    }
    accessTokens.set(body.access_token, Date.now() + options.expiresIn * 1000)
    if (withRefreshToken) {
      body.refresh_token = `rt-${n}-${Math.random().toString(36).slice(2, 10)}`
      refreshTokens.add(body.refresh_token)
    }
    return body
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-store",
    })
    res.end(text)
  }

  const authenticated = (req: IncomingMessage, form: URLSearchParams): boolean => {
    const header = req.headers.authorization
    if (header?.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6), "base64").toString()
      const colon = decoded.indexOf(":")
      return (
        decodeURIComponent(decoded.slice(0, colon)) === CLIENT_ID &&
        decodeURIComponent(decoded.slice(colon + 1)) === CLIENT_SECRET
      )
    }
    return form.get("client_id") === CLIENT_ID && form.get("client_secret") === CLIENT_SECRET
  }

  const answerToken = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const form = (req.headers["content-type"] ?? "").includes("json")
      ? new URLSearchParams(JSON.parse(raw) as Record<string, string>)
      : new URLSearchParams(raw)
    if (!authenticated(req, form)) {
      stats.otherErrors++
      return send(res, 401, { error: "invalid_client" })
    }
    const grant = form.get("grant_type")
    if (grant === "client_credentials") {
      stats.clientCredentials++
      return send(res, 200, issue(false))
    }
    if (grant === "refresh_token") {
      stats.refreshes++
      const presented = form.get("refresh_token") ?? ""
      if (presentedRefreshTokens.has(presented)) stats.refreshTokensReused++
      else if (options.rotation) presentedRefreshTokens.add(presented)
      if (!refreshTokens.has(presented)) {
        stats.invalidGrant++
        return send(res, 400, { error: "invalid_grant", error_description: "refresh token is not valid" })
      }
      if (options.rotation) {
        refreshTokens.delete(presented)
        return send(res, 200, issue(true))
      }
      const body = issue(false)
      body.refresh_token = presented
      return send(res, 200, body)
    }
    stats.otherErrors++
    send(res, 400, { error: "unsupported_grant_type" })
  }

  const server: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/token") {
      stats.tokenRequests++
      const chunks: Buffer[] = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString()
        const delay = options.delayMs + Math.random() * options.delayJitterMs
        if (delay > 0) setTimeout(() => answerToken(req, res, raw), delay)
        else answerToken(req, res, raw)
      })
      return
    }
    if (req.method === "GET" && req.url === "/resource") {
      stats.resourceCalls++
      const token = req.headers.authorization?.replace(/^Bearer /i, "") ?? ""
      const expiry = accessTokens.get(token)
      const now = Date.now()
      if (expiry === undefined || expiry <= now) {
        stats.resourceRejected++
        const handedOut = Number(req.headers["x-bench-handed-out"])
        if (expiry === undefined || (Number.isFinite(handedOut) && expiry <= handedOut))
          stats.resourceStaleWhenHandedOut++
        if (expiry !== undefined)
          stats.resourceLatestPastExpiryMs = Math.max(stats.resourceLatestPastExpiryMs, now - expiry)
        res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"', "content-length": 0 })
        return res.end()
      }
      return send(res, 200, { ok: true })
    }
    res.writeHead(404, { "content-length": 0 })
    res.end()
  })
  // Keep-alive connections must outlive the pauses between a benchmark's phases.
  server.keepAliveTimeout = 60_000
  server.headersTimeout = 65_000
  server.maxRequestsPerSocket = 0
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    tokenEndpoint: `${url}/token`,
    get stats() {
      return stats
    },
    configure(next) {
      Object.assign(options, next)
    },
    reset() {
      stats = emptyStats()
      accessTokens = new Map()
      refreshTokens = new Set()
      presentedRefreshTokens = new Set()
    },
    issue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
