/**
 * A small real authorization server for public clients: `/authorize` answers with a redirect
 * carrying a code (or `access_denied`), `/token` implements RFC 6749 §4.1.3 with RFC 7636 S256
 * verification (node:crypto, independently of the code under test) and §6 refresh with rotation.
 */
import { createHash, randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface AuthorizationServer {
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  /** `/authorize` sends the user back with `error=access_denied`. */
  deny: boolean
  /** Refresh answers carry no new refresh token (the client must keep the old one). */
  keepRefreshToken: boolean
  /** `scope` in token answers, joined with this delimiter. */
  scopeDelimiter: string
  /** `expires_in` of token answers (default the numeric string "3600"). */
  expiresIn: string | number
  readonly tokenRequests: Array<Record<string, string>>
  /** The refresh tokens that are currently valid. */
  readonly liveRefreshTokens: Set<string>
  close(): Promise<void>
}

const s256 = (verifier: string) => createHash("sha256").update(verifier, "ascii").digest("base64url")

export const startAuthorizationServer = async (clientId: string): Promise<AuthorizationServer> => {
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>()
  let issued = 0
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    res.end(JSON.stringify(value))
  }
  const tokens = (scope: string, refresh: boolean) => {
    issued++
    const body: Record<string, unknown> = {
      access_token: `pkce-at-${issued}`,
      token_type: "bearer",
      // A numeric string by default, as some servers send it.
      expires_in: state.expiresIn,
      scope: scope.split(" ").join(state.scopeDelimiter),
    }
    if (refresh) {
      const rt = `rt-${issued}-${randomBytes(8).toString("hex")}`
      state.liveRefreshTokens.add(rt)
      body.refresh_token = rt
    }
    return body
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = ""
    for await (const chunk of req) raw += String(chunk)
    const url = new URL(req.url ?? "/", "http://x")
    if (req.method === "GET" && url.pathname === "/authorize") {
      const q = url.searchParams
      const redirect = new URL(q.get("redirect_uri") ?? "")
      redirect.searchParams.set("state", q.get("state") ?? "")
      if (state.deny) {
        redirect.searchParams.set("error", "access_denied")
        redirect.searchParams.set("error_description", "The user declined")
      } else {
        const code = randomBytes(12).toString("hex")
        codes.set(code, {
          challenge: q.get("code_challenge") ?? "",
          redirectUri: q.get("redirect_uri") ?? "",
          scope: q.get("scope") ?? "",
        })
        redirect.searchParams.set("code", code)
      }
      res.writeHead(302, { location: redirect.toString() })
      return res.end()
    }
    if (req.method === "POST" && url.pathname === "/token") {
      if (!String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
        return json(res, 400, { error: "invalid_request", error_description: "form body expected" })
      }
      const form = Object.fromEntries(new URLSearchParams(raw))
      state.tokenRequests.push(form)
      if (form.client_id !== clientId) return json(res, 401, { error: "invalid_client" })
      if (form.grant_type === "authorization_code") {
        const pending = form.code === undefined ? undefined : codes.get(form.code)
        if (form.code !== undefined) codes.delete(form.code)
        if (!pending || pending.redirectUri !== form.redirect_uri) {
          return json(res, 400, { error: "invalid_grant", error_description: "unknown code" })
        }
        if (s256(form.code_verifier ?? "") !== pending.challenge) {
          return json(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" })
        }
        return json(res, 200, tokens(pending.scope, true))
      }
      if (form.grant_type === "refresh_token") {
        const rt = form.refresh_token ?? ""
        if (!state.liveRefreshTokens.has(rt)) {
          return json(res, 400, { error: "invalid_grant", error_description: "refresh token is not valid" })
        }
        if (state.keepRefreshToken) return json(res, 200, tokens("read", false))
        state.liveRefreshTokens.delete(rt)
        return json(res, 200, tokens("read", true))
      }
      return json(res, 400, { error: "unsupported_grant_type" })
    }
    json(res, 404, { error: "not_found" })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const state: AuthorizationServer = {
    authorizationEndpoint: `${origin}/authorize`,
    tokenEndpoint: `${origin}/token`,
    deny: false,
    keepRefreshToken: false,
    scopeDelimiter: " ",
    expiresIn: "3600",
    tokenRequests: [],
    liveRefreshTokens: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return state
}
