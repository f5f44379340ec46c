import { OAuthTokenError } from "./OAuthTokenError.js"
import type { SourceToken, TokenSource } from "./TokenSource.js"
import { authorizationUrl } from "@grantflow/kernel/AuthorizationRequest"
import { checkCallback } from "@grantflow/kernel/Callback"
import { lifetimeSeconds } from "@grantflow/kernel/Lifetime"
import { decodeErrorWire, decodeTokenWire, splitScopes, tokenTypeOf } from "@grantflow/kernel/TokenAnswer"
import { isRecord, readJson, send } from "./internal/http.js"
import { deriveCodeChallenge, randomUrlSafe } from "./internal/pkce.js"
import * as Storage from "./internal/storage.js"

/** A public client's authorization server, for the authorization code flow with PKCE in the browser. */
export interface PkceSourceOptions {
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  readonly clientId: string
  /** Registered redirect URI, absolute and exactly as registered: a page of this app that renders the `OAuthProvider`. */
  readonly redirectUri: string
  readonly scopes: ReadonlyArray<string>
  /** How the server joins scopes in requests (default `" "`); its `scope` answer is read with spaces or commas. */
  readonly scopeDelimiter?: string
  /**
   * The authorization server's issuer identifier: a callback's RFC 9207 `iss` must be it (a
   * callback from another server, a mix-up attack, is refused). Without it `iss` is not checked.
   */
  readonly issuer?: string
  /** Refuse a callback without `iss` (for servers that always send it; needs `issuer`). */
  readonly requireIss?: boolean
  /** More authorization request parameters (`audience`, `prompt`, ...). */
  readonly extraParams?: Readonly<Record<string, string>>
  /** fetch to use for the token endpoint (default the global one). */
  readonly fetch?: typeof fetch
  /** How `login()` leaves the page (default `window.location.assign`). */
  readonly navigate?: (url: string) => void
  /** Tabs with the same key share one token (default `clientId@authorizationEndpoint`). */
  readonly key?: string
  /** Per request (default 15 000 ms). */
  readonly timeoutMs?: number
  /** How long a started sign-in may take before its callback is refused (default 10 minutes). */
  readonly pendingTtlMs?: number
}

interface Pending {
  readonly state: string
  readonly verifier: string
  readonly redirectUri: string
  readonly expiresAt: number
}

const stateProblems = {
  missing: "the callback has no state",
  mismatch: "the callback belongs to another sign-in",
  expired: "the sign-in took too long, start again",
  issuer: "the callback comes from another authorization server (iss)",
} as const

const callbackParams = ["code", "state", "error", "error_description", "error_uri", "iss", "session_state"]

/** Removes the callback's parameters from the address bar so a reload does not replay them. */
const stripCallback = (url: URL): void => {
  for (const p of callbackParams) url.searchParams.delete(p)
  try {
    globalThis.history?.replaceState(globalThis.history.state, "", url.pathname + url.search + url.hash)
  } catch {
    // A sandboxed document may refuse; the state is single-use anyway.
  }
}

const readPending = (key: string): Pending | undefined => {
  const p = Storage.readJson("sessionStorage", key) as Partial<Pending> | undefined
  return p &&
    typeof p.state === "string" &&
    typeof p.verifier === "string" &&
    typeof p.redirectUri === "string"
    ? (p as Pending)
    : undefined
}

const readSession = (key: string): SourceToken | undefined => {
  const t = Storage.readJson("sessionStorage", key) as Partial<SourceToken> | undefined
  return t && typeof t.accessToken === "string" && Array.isArray(t.scopes) && typeof t.tokenType === "string"
    ? { ...(t as SourceToken), expiresAt: typeof t.expiresAt === "number" ? t.expiresAt : null }
    : undefined
}

/**
 * Tokens obtained in the browser by a public client (no client secret): authorization code with
 * PKCE S256 (WebCrypto), `state` checked once, the code exchanged with a form POST, refresh with
 * the refresh token. The pending request and the tokens live in this tab's sessionStorage and in
 * memory; other tabs receive refreshed tokens over the cross-tab channel, never via localStorage.
 *
 * @example
 * ```tsx
 * const source = pkceSource({
 *   authorizationEndpoint: "https://auth.example.com/authorize",
 *   tokenEndpoint: "https://auth.example.com/token",
 *   clientId: "spa", redirectUri: `${location.origin}/callback`, scopes: ["openid", "read"],
 * })
 * root.render(<OAuthProvider source={source}><App /></OAuthProvider>)
 * ```
 */
export const pkceSource = (options: PkceSourceOptions): TokenSource => {
  const key = options.key ?? `${options.clientId}@${options.authorizationEndpoint}`
  const delimiter = options.scopeDelimiter ?? " "
  const timeoutMs = options.timeoutMs ?? 15_000
  const pendingKey = `grantflow:pkce:${key}`
  const sessionKey = `grantflow:session:${key}`

  const keep = (t: SourceToken | null): void => {
    if (t) Storage.writeJson("sessionStorage", sessionKey, t)
    else Storage.remove("sessionStorage", sessionKey)
  }

  /** RFC 6749 §5.1 answer (or §5.2 error) of the token endpoint. */
  const tokenRequest = async (
    params: Record<string, string>,
    previous?: SourceToken,
  ): Promise<SourceToken> => {
    const url = options.tokenEndpoint
    const res = await send(
      options.fetch,
      url,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams(params).toString(),
      },
      timeoutMs,
    )
    const body = await readJson(res, "POST", url)
    const what = `POST ${url.split(/[?#]/)[0]}`
    const invalid = (reason: string) =>
      new OAuthTokenError(
        "InvalidResponse",
        `Invalid response (HTTP ${res.status}) from ${what}: ${reason}`,
        {
          status: res.status,
        },
      )
    if (!isRecord(body)) throw invalid("expected a JSON object")
    // An `error` inside a 200 is still an error (seen from several servers).
    const failure =
      body["error"] === undefined || body["error"] === null || body["error"] === false || body["error"] === 0
        ? undefined
        : decodeErrorWire(body)
    if (failure) {
      const code = String(failure.error)
      const description = failure.error_description ?? failure.message ?? undefined
      throw new OAuthTokenError(
        "OAuthServerError",
        `OAuth server error ${code} (HTTP ${res.status})${description ? `: ${description}` : ""}`,
        { status: res.status, code },
      )
    }
    if (!res.ok) throw invalid("an error status without an OAuth error body")
    // Read as core reads it: expires_in as a numeric string, scope split by spaces or commas.
    const wire = decodeTokenWire(body)
    if (!wire) {
      throw invalid(
        typeof body.access_token === "string" && body.access_token !== ""
          ? "token response fields have the wrong types"
          : "access_token is missing",
      )
    }
    const granted = splitScopes(wire.scope)
    const lifetime = lifetimeSeconds(wire.expires_in)
    return {
      accessToken: wire.access_token,
      // Clamped to a year, zero/negative = unknown: the kernel's reading, as core's.
      expiresAt: lifetime === undefined ? null : Date.now() + lifetime * 1000,
      // RFC 6749 §5.1: no scope in the answer means the requested ones were granted.
      scopes: granted.length > 0 ? granted : (previous?.scopes ?? options.scopes),
      tokenType: tokenTypeOf(wire.token_type),
      // A refresh answer without a refresh_token keeps the old one (RFC 6749 §6).
      refreshToken: wire.refresh_token || previous?.refreshToken,
    }
  }

  const handleCallback = async (url: URL): Promise<SourceToken> => {
    const params = new URLSearchParams(url.search)
    // Read and forget before anything can fail: a callback is good for one attempt only.
    const pending = readPending(pendingKey)
    Storage.remove("sessionStorage", pendingKey)
    stripCallback(url)
    if (!pending) {
      throw new OAuthTokenError(
        "StateMismatch",
        "State check failed (unknown): no sign-in was started in this tab, or its callback was already used",
      )
    }
    // The same checks as core's callback: one state, the expected one, in time; RFC 9207 iss; the error.
    const outcome = checkCallback(params, {
      state: pending.state,
      expiresAt: pending.expiresAt,
      now: Date.now(),
      issuer: options.issuer,
      requireIss: options.requireIss,
    })
    if (outcome._tag === "StateMismatch") {
      throw new OAuthTokenError(
        "StateMismatch",
        `State check failed (${outcome.reason}): ${stateProblems[outcome.reason]}`,
      )
    }
    if (outcome._tag === "Error") {
      throw new OAuthTokenError(
        "AuthorizationError",
        `Authorization failed: ${outcome.error.description ?? outcome.error.error}`,
        { code: outcome.error.error },
      )
    }
    if (outcome._tag === "NoCode") {
      throw new OAuthTokenError(
        "InvalidResponse",
        "Invalid response: the callback has neither exactly one code nor an error",
      )
    }
    const code = outcome.code
    const token = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: pending.redirectUri,
      client_id: options.clientId,
      code_verifier: pending.verifier,
    })
    keep(token)
    return token
  }

  /** The current page is our redirect URI carrying a callback (a `code` or `error` with a `state`, or one we wait for). */
  const callbackUrl = (): URL | undefined => {
    const href = globalThis.location?.href
    if (!href) return undefined
    const here = new URL(href)
    const redirect = new URL(options.redirectUri, href)
    const isCallback = here.searchParams.has("code") || here.searchParams.has("error")
    if (!isCallback || here.origin !== redirect.origin || here.pathname !== redirect.pathname)
      return undefined
    return here.searchParams.has("state") || readPending(pendingKey) ? here : undefined
  }

  return {
    key,
    load: async () => {
      const callback = callbackUrl()
      if (callback) return handleCallback(callback)
      const saved = readSession(sessionKey)
      if (!saved) return null
      // An expired token without a refresh token is of no use: signed out.
      if (saved.expiresAt !== null && saved.expiresAt <= Date.now() && !saved.refreshToken) {
        keep(null)
        return null
      }
      return saved
    },
    refresh: async (current) => {
      const refreshToken = current?.refreshToken ?? readSession(sessionKey)?.refreshToken
      if (!refreshToken) {
        keep(null)
        return null
      }
      const token = await tokenRequest(
        { grant_type: "refresh_token", refresh_token: refreshToken, client_id: options.clientId },
        current ?? undefined,
      )
      keep(token)
      return token
    },
    login: async () => {
      if (!Storage.hasStorage("sessionStorage")) {
        throw new OAuthTokenError(
          "ConfigError",
          "PKCE needs sessionStorage to keep the pending sign-in across the redirect",
        )
      }
      const verifier = randomUrlSafe(32)
      const state = randomUrlSafe(16)
      const challenge = await deriveCodeChallenge(verifier)
      // Sent exactly as configured: servers compare redirect URIs as strings.
      const redirectUri = options.redirectUri
      Storage.writeJson("sessionStorage", pendingKey, {
        state,
        verifier,
        redirectUri,
        expiresAt: Date.now() + (options.pendingTtlMs ?? 600_000),
      } satisfies Pending)
      const url = authorizationUrl({
        endpoint: options.authorizationEndpoint,
        clientId: options.clientId,
        redirectUri,
        scopes: options.scopes,
        scopeDelimiter: delimiter,
        state,
        codeChallenge: challenge,
        codeChallengeMethod: "S256",
        extraParams: options.extraParams,
      })
      const navigate = options.navigate ?? ((to: string) => globalThis.location.assign(to))
      navigate(url)
    },
    logout: async () => {
      keep(null)
      Storage.remove("sessionStorage", pendingKey)
    },
    adopt: keep,
  }
}
