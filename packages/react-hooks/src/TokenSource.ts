/**
 * A token as a source hands it to the controller. `accessToken` is the browser's own token (the
 * backend gave it to this page, or PKCE obtained it here); `refreshToken` exists only for PKCE and
 * never reaches a snapshot.
 */
export interface SourceToken {
  readonly accessToken: string
  /** Milliseconds since the epoch; `null` when the server did not say when the token expires. */
  readonly expiresAt: number | null
  readonly scopes: ReadonlyArray<string>
  readonly tokenType: string
  /** PKCE only: the refresh token of this browser session. */
  readonly refreshToken?: string | undefined
}

/**
 * Where tokens come from. `backendSource` and `pkceSource` implement it; write your own to get
 * tokens another way. Every method rejects with a `OAuthTokenError`.
 *
 * @example
 * ```ts
 * const fixed: TokenSource = {
 *   key: "fixed",
 *   load: async () => ({ accessToken: "t", expiresAt: null, scopes: [], tokenType: "Bearer" }),
 *   refresh: async () => null,
 *   login: async () => {},
 *   logout: async () => {},
 * }
 * ```
 */
export interface TokenSource {
  /** Names the cross-tab lock and channel: tabs whose sources share a key share one token. */
  readonly key: string
  /** The token this page starts with, or `null` when signed out. Called once per controller. */
  load(): Promise<SourceToken | null>
  /** A new token, or `null` when the session is gone. The controller calls it under the cross-tab lock. */
  refresh(current: SourceToken | null): Promise<SourceToken | null>
  /** Starts signing in (usually by navigating away). */
  login(): Promise<void>
  /** Ends the session. */
  logout(current: SourceToken | null): Promise<void>
  /** Keeps a token another tab obtained (or forgets it on `null`, after a logout elsewhere). */
  adopt?(token: SourceToken | null): void
}
