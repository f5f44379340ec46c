import { OAuthTokenError, isTokenErrorTag } from "./OAuthTokenError.js"
import type { SourceToken, TokenSource } from "./TokenSource.js"
import { isRecord, readJson, send, stringField } from "./internal/http.js"

/** Where the backend serves the page's token (see the README for the endpoint contract). */
export interface BackendSourceOptions {
  /**
   * `GET` -> 200 `{ accessToken, expiresAt, scopes, tokenType }`, or 204 No Content when there is
   * no session (signed out is a normal state, so it needs no error status; 401 is read the same).
   */
  readonly tokenUrl: string
  /** Where `login()` navigates to start the authorization code flow on the server. */
  readonly loginUrl: string
  /** `POST` ends the server session. */
  readonly logoutUrl: string
  /** `POST` -> the same body as `tokenUrl` after the server refreshed (default `${tokenUrl}/refresh`). */
  readonly refreshUrl?: string
  /** fetch to use (default the global one); requests are sent with `credentials: "include"`. */
  readonly fetch?: typeof fetch
  /** How `login()` leaves the page (default `window.location.assign`). */
  readonly navigate?: (url: string) => void
  /** Tabs with the same key share one token (default `tokenUrl`). */
  readonly key?: string
  /** Per request (default 15 000 ms); a timeout is a `TransportError`. */
  readonly timeoutMs?: number
}

const parseToken = (body: unknown, status: number, what: string): SourceToken => {
  const invalid = (reason: string) =>
    new OAuthTokenError("InvalidResponse", `Invalid response (HTTP ${status}) from ${what}: ${reason}`, {
      status,
    })
  if (!isRecord(body)) throw invalid("expected a JSON object")
  const accessToken = stringField(body, "accessToken")
  if (!accessToken) throw invalid("accessToken is missing")
  let expiresAt: number | null = null
  if (body.expiresAt !== null && body.expiresAt !== undefined) {
    expiresAt = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : NaN
    if (Number.isNaN(expiresAt)) throw invalid("expiresAt is not an ISO date or null")
  }
  const scopes = body.scopes ?? []
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string")) {
    throw invalid("scopes is not an array of strings")
  }
  return { accessToken, expiresAt, scopes, tokenType: stringField(body, "tokenType") ?? "Bearer" }
}

/** Turns a non-2xx answer into the typed error the server named, or the closest one. */
const answerError = (body: unknown, status: number, what: string): OAuthTokenError => {
  if (isRecord(body)) {
    const tag = body.error
    const message = stringField(body, "message") ?? stringField(body, "error_description")
    const code = stringField(body, "code")
    if (isTokenErrorTag(tag))
      return new OAuthTokenError(tag, message ?? `${tag} from ${what}`, { status, code })
    // An RFC 6749 §5.2 body passed through as is (`{ error: "invalid_grant" }`).
    if (typeof tag === "string" && tag !== "") {
      return new OAuthTokenError(
        "OAuthServerError",
        message ?? `OAuth server error ${tag} (HTTP ${status})`,
        {
          status,
          code: tag,
        },
      )
    }
  }
  return new OAuthTokenError("InvalidResponse", `Invalid response (HTTP ${status}) from ${what}`, { status })
}

/**
 * Tokens from your own backend, which keeps the client secret and the refresh token and hands
 * the page only its access token over a session cookie. The default for confidential clients.
 *
 * @example
 * ```tsx
 * const source = backendSource({ tokenUrl: "/auth/token", loginUrl: "/auth/login", logoutUrl: "/auth/logout" })
 * root.render(<OAuthProvider source={source}><App /></OAuthProvider>)
 * ```
 */
export const backendSource = (options: BackendSourceOptions): TokenSource => {
  const timeoutMs = options.timeoutMs ?? 15_000
  const refreshUrl = options.refreshUrl ?? `${options.tokenUrl.replace(/\/+$/, "")}/refresh`

  /** 204 (or 401) means "no session": signed out, not an error. */
  const tokenRequest = async (method: "GET" | "POST", url: string): Promise<SourceToken | null> => {
    const res = await send(
      options.fetch,
      url,
      { method, credentials: "include", headers: { accept: "application/json" } },
      timeoutMs,
    )
    const what = `${method} ${url}`
    if (res.status === 204 || res.status === 401) {
      await res.body?.cancel().catch(() => undefined)
      return null
    }
    const body = await readJson(res, method, url)
    if (!res.ok) throw answerError(body, res.status, what)
    return parseToken(body, res.status, what)
  }

  return {
    key: options.key ?? options.tokenUrl,
    load: () => tokenRequest("GET", options.tokenUrl),
    refresh: () => tokenRequest("POST", refreshUrl),
    login: async () => {
      const navigate = options.navigate ?? ((url: string) => globalThis.location.assign(url))
      navigate(options.loginUrl)
    },
    logout: async () => {
      const res = await send(
        options.fetch,
        options.logoutUrl,
        { method: "POST", credentials: "include", headers: { accept: "application/json" } },
        timeoutMs,
      )
      // 401: the session was already gone, which is what logging out wants.
      if (res.ok || res.status === 401) {
        await res.body?.cancel().catch(() => undefined)
        return
      }
      const body = await readJson(res, "POST", options.logoutUrl).catch(() => undefined)
      throw answerError(body, res.status, `POST ${options.logoutUrl}`)
    },
  }
}
