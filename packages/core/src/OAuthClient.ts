/**
 * The Promise facade: every flow of one provider as plain async methods, for people who do not
 * write Effect. Rejections are the tagged errors of `Errors.ts` (after `dispose()` too: a
 * `ConfigError` whose reason starts with "disposed"). Build one with
 * `createOAuthClient(provider, options)`. The option types live beside the Effect steps they
 * describe (`Authorize.ts`, `TokenManager.ts`) and are re-exported here.
 *
 * @example
 * ```ts
 * import { Providers, createOAuthClient } from "@grantflow/core"
 * const fuse = createOAuthClient(Providers.cryptofuse({ clientId, clientSecret, baseUrl }))
 * const res = await fuse.fetch("/rates/")          // token fetched, cached and attached
 * ```
 */
import type * as Redacted from "effect/Redacted"
import type { DeviceAuthorization } from "./DeviceAuthorization.js"
import type { Introspection } from "./Introspection.js"
import type { KyInstance } from "ky"
import type { AuthorizationRequest, AuthorizationUrlOptions, PreparedAuthorization } from "./Authorize.js"
import type { CallbackInput } from "./Callback.js"
import type { PendingAuthorization } from "./PendingAuthorization.js"
import type { Provider } from "./Provider.js"
import type { AccessTokenOptions, CallbackOptions } from "./TokenManager.js"
import type { TokenSet } from "./TokenSet.js"
import type { SecretInput } from "./internal/secrets.js"

export type {
  AccessTokenOptions,
  AuthorizationRequest,
  AuthorizationUrlOptions,
  CallbackOptions,
  SecretInput,
}

/** `fetch`'s `init`, plus which session's token to attach. */
export type SessionRequestInit = RequestInit & {
  readonly session?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * One session of a client as a value (golang's `Config.Client(tok)` in spirit): every call on it
 * is about that session. `client.session()` is the default session, `client.session("user-42")`
 * a named one.
 */
export interface OAuthSession {
  /** The session's name; undefined for the default session. */
  readonly name: string | undefined
  /** The session's store key (`SessionKey`). */
  readonly key: string
  getAccessToken(options?: {
    readonly forceRefresh?: boolean | undefined
  }): Promise<Redacted.Redacted<string>>
  getTokenSet(options?: { readonly forceRefresh?: boolean | undefined }): Promise<TokenSet>
  /** `client.fetch` with this session's token. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** `client.api` (ky) with this session's token; built on first use. */
  readonly api: KyInstance
  /** Stores tokens as this session (e.g. restored from elsewhere). */
  set(tokens: TokenSet): Promise<void>
  /** Forgets this session locally (does not revoke). */
  clear(): Promise<void>
}

export interface OAuthClient {
  readonly provider: Provider
  /** Starts a login: the URL to redirect to; the pending request waits in the client's StateStore. */
  authorizationUrl(options?: AuthorizationUrlOptions): Promise<AuthorizationRequest>
  /**
   * Finishes a login started with `authorizationUrl`: the full URL the browser came back with
   * (`req.originalUrl`), its query string, URLSearchParams, or `req.query`. Anything else rejects
   * with `ConfigError`. The tokens are stored as `options.session`, or (without one, on an
   * authorization-code provider) as the client's default session.
   */
  handleCallback(callback: CallbackInput, options?: CallbackOptions): Promise<TokenSet>
  /**
   * The pure first step: the URL and the `pending` request, stored nowhere. Keep `pending` where it
   * is bound to this browser (its server-side session; `encodePending` serialises it) and pass it
   * to `completeCallback`.
   */
  createAuthorizationRequest(options?: AuthorizationUrlOptions): Promise<PreparedAuthorization>
  /**
   * The pure second step: checks the callback against `pending` and exchanges the code (no
   * StateStore); the tokens are stored like `handleCallback`'s.
   */
  completeCallback(
    callback: CallbackInput,
    pending: PendingAuthorization | undefined,
    options?: CallbackOptions,
  ): Promise<TokenSet>
  exchangeCode(
    code: SecretInput,
    options?: { readonly codeVerifier?: SecretInput; readonly redirectUri?: string },
  ): Promise<TokenSet>
  clientCredentials(options?: { readonly scopes?: ReadonlyArray<string> }): Promise<TokenSet>
  refresh(refreshToken: SecretInput, options?: { readonly scopes?: ReadonlyArray<string> }): Promise<TokenSet>
  revoke(token: SecretInput, options?: { readonly hint?: "access_token" | "refresh_token" }): Promise<void>
  /** RFC 8628: starts a device login; show `userCode` and `verificationUri`, then `pollDeviceAuthorization`. */
  deviceAuthorization(options?: { readonly scopes?: ReadonlyArray<string> }): Promise<DeviceAuthorization>
  /**
   * Polls until the person approved (the tokens) or denied / let the code expire (AuthorizationError,
   * `error` `access_denied` or `expired_token`). `signal` stops the polling with TransportError
   * `aborted`. The tokens are stored like `handleCallback`'s: as `session`, or the default session
   * without one, or nowhere with `store: false`.
   */
  pollDeviceAuthorization(
    grant: DeviceAuthorization,
    options?: CallbackOptions & { readonly signal?: AbortSignal | undefined },
  ): Promise<TokenSet>
  /** RFC 7662: asks the provider whether a token is active, authenticated as this client. */
  introspect(
    token: SecretInput,
    options?: { readonly hint?: "access_token" | "refresh_token" | undefined },
  ): Promise<Introspection>
  /**
   * A valid access token: cached, renewed before expiry (client credentials: a new token; a user
   * session: its refresh token), one renewal in flight per session across all callers and, with a
   * shared store and lock, across instances. Without a session: the default session on an
   * authorization-code provider, the client-credentials token on a client-credentials one.
   */
  getAccessToken(options?: AccessTokenOptions): Promise<Redacted.Redacted<string>>
  /** Like `getAccessToken`, with the whole token set (scopes, expiry, refresh and id token). */
  getTokenSet(options?: AccessTokenOptions): Promise<TokenSet>
  /**
   * `fetch` with the session's token attached the provider's way (the Effect `OAuth.fetch`, see
   * ApiClient). Only the provider's origins see the token: redirects are followed by us, a hop to
   * another origin without any credential header. `timeoutMs` bounds each hop (`TransportError`
   * "timeout"); network failures are `TransportError` "network". When the API refuses the token
   * (the dialect's `apiRefusal`: 401, `WWW-Authenticate: Bearer error="invalid_token"`, or
   * Cryptohopper's error flag inside a 200) the token is renewed once (single-flight) and the
   * request retried once, if its body can be sent again (none, string, URLSearchParams, FormData,
   * Blob, ArrayBuffer given in `init`); a stream body gets the refusal back.
   */
  fetch(input: string | URL | Request, init?: SessionRequestInit): Promise<Response>
  /**
   * The provider's API as a ky instance: `prefix` is the provider's API base and every request goes
   * through `fetch` above (token attached, redirects kept on the provider's origins, a refused token
   * renewed once). ky's timeout (`timeoutMs`) and retries (idempotent methods: 408/413/429/5xx and
   * network failures) apply, and a non-2xx answer throws ky's `HTTPError`. ky is an optional peer
   * dependency, loaded on first use of `api`.
   *
   * @example
   * ```ts
   * const hoppers = await hopper.api.get("hopper").json()
   * ```
   */
  readonly api: KyInstance
  /** A handle on one session: the default one without a name. */
  session(name?: string): OAuthSession
  /** Stores a token set as a session (e.g. one restored from elsewhere); undefined: the default session. */
  setSession(session: string | undefined, tokens: TokenSet): Promise<void>
  /** Forgets a session locally (does not revoke); undefined: the default session. */
  clearSession(session?: string): Promise<void>
  /**
   * Releases the client's runtime (stores, timers). Afterwards every call rejects with
   * `ConfigError` ("disposed") and sends nothing; calls in flight reject the same way.
   */
  dispose(): Promise<void>
}
