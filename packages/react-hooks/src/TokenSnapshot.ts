import type { OAuthTokenError } from "./OAuthTokenError.js"

/** Where the token stands: not signed in, asking the source, usable, or failed (see `error`). */
export type TokenStatus = "idle" | "loading" | "authenticated" | "error"

/**
 * What a component can do. The functions keep their identity for the controller's lifetime, so they
 * are safe in effect dependency lists. `login`, `logout` and `refresh` never reject: a failure
 * shows up as `status: "error"`.
 */
export interface TokenActions {
  /** Starts signing in: navigates to the backend's login URL or to the authorization endpoint (PKCE). */
  readonly login: () => Promise<void>
  /** Ends the session here and in the other tabs. */
  readonly logout: () => Promise<void>
  /** Gets a new token now (once across tabs: a tab that sees another one refresh adopts its token). */
  readonly refresh: () => Promise<void>
  /**
   * The access token, refreshed first when it is due; `null` when signed out. Rejects with the
   * `OAuthTokenError` when loading or refreshing failed.
   */
  readonly getValidToken: () => Promise<string | null>
}

interface Empty {
  readonly accessToken: null
  readonly expiresAt: null
  readonly scopes: ReadonlyArray<string>
  readonly tokenType: null
}

/**
 * The value of `useOAuthToken()` and of `controller.getSnapshot()`: one immutable object per state,
 * so the same reference comes back until something changes. `accessToken` is a getter on the
 * prototype: `JSON.stringify`, `String()` and `util.inspect` show `<redacted>` instead of it,
 * and object spread leaves it out (destructure it instead).
 *
 * @example
 * ```tsx
 * const { status, accessToken, expiresAt, error, login } = useOAuthToken()
 * if (status === "error") return <p role="alert">{error.message}</p>
 * ```
 */
export type OAuthTokenState = TokenActions &
  // One member per status, so that each early return (`if (status === "idle") return …`)
  // removes its member and `accessToken` is a `string` after the last one.
  (
    | ({ readonly status: "idle"; readonly error: null } & Empty)
    | ({ readonly status: "loading"; readonly error: null } & Empty)
    | ({ readonly status: "error"; readonly error: OAuthTokenError } & Empty)
    | {
        readonly status: "authenticated"
        readonly accessToken: string
        /** When the access token expires; `null` when the server did not say. */
        readonly expiresAt: Date | null
        /** The scopes the token carries. */
        readonly scopes: ReadonlyArray<string>
        /** `Bearer` for nearly every server. */
        readonly tokenType: string
        readonly error: null
      }
  )

const noScopes: ReadonlyArray<string> = Object.freeze([])

class Snapshot {
  readonly status: TokenStatus
  readonly expiresAt: Date | null
  readonly scopes: ReadonlyArray<string>
  readonly tokenType: string | null
  readonly error: OAuthTokenError | null
  readonly login: TokenActions["login"]
  readonly logout: TokenActions["logout"]
  readonly refresh: TokenActions["refresh"]
  readonly getValidToken: TokenActions["getValidToken"]
  readonly #accessToken: string | null

  constructor(
    status: TokenStatus,
    token: {
      accessToken: string
      expiresAt: number | null
      scopes: ReadonlyArray<string>
      tokenType: string
    } | null,
    error: OAuthTokenError | null,
    actions: TokenActions,
  ) {
    this.status = status
    this.#accessToken = token?.accessToken ?? null
    this.expiresAt = token?.expiresAt == null ? null : new Date(token.expiresAt)
    this.scopes = token ? Object.freeze([...token.scopes]) : noScopes
    this.tokenType = token?.tokenType ?? null
    this.error = error
    this.login = actions.login
    this.logout = actions.logout
    this.refresh = actions.refresh
    this.getValidToken = actions.getValidToken
    Object.freeze(this)
  }

  get accessToken(): string | null {
    return this.#accessToken
  }

  toString(): string {
    return `OAuthToken(${this.status})`
  }

  toJSON(): Record<string, unknown> {
    return {
      status: this.status,
      accessToken: this.#accessToken === null ? null : "<redacted>",
      expiresAt: this.expiresAt,
      scopes: this.scopes,
      tokenType: this.tokenType,
      error: this.error,
    }
  }

  [Symbol.for("nodejs.util.inspect.custom")](): Record<string, unknown> {
    return this.toJSON()
  }
}

export const makeSnapshot = (
  status: TokenStatus,
  token: {
    accessToken: string
    expiresAt: number | null
    scopes: ReadonlyArray<string>
    tokenType: string
  } | null,
  error: OAuthTokenError | null,
  actions: TokenActions,
): OAuthTokenState => new Snapshot(status, token, error, actions) as unknown as OAuthTokenState
