/**
 * The Promise facade: every flow of one provider as plain async methods, for people who do not
 * write Effect. Rejections are the tagged errors of `Errors.ts`. Build one with
 * `createOAuthClient(provider, options)`.
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
import type { PreparedAuthorization } from "./Authorize.js"
import type { CallbackInput } from "./Callback.js"
import type { PendingAuthorization } from "./PendingAuthorization.js"
import type { Provider } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"

export type SecretInput = string | Redacted.Redacted<string>

export interface AuthorizationUrlOptions {
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Overrides the provider's configured redirect URI (sent exactly as given). */
  readonly redirectUri?: string | undefined
  /** Extra query parameters (e.g. `prompt`, `audience`); cannot override the protocol ones. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined
}

export interface AuthorizationRequest {
  readonly url: string
  readonly state: string
  /** When the pending request expires in the StateStore. */
  readonly expiresAt: Date
}

export interface CallbackOptions {
  /** Store the resulting tokens as this user's session, for `getAccessToken({ session })` and `fetch`. */
  readonly session?: string | undefined
}

export interface AccessTokenOptions {
  /** A user's session key (from `handleCallback({ session })`); omitted means the client-credentials session. */
  readonly session?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Refresh even when the cached token is still fresh. */
  readonly forceRefresh?: boolean | undefined
}

export interface OAuthClient {
  readonly provider: Provider
  /** Starts a login: the URL to redirect to; the pending request waits in the client's StateStore. */
  authorizationUrl(options?: AuthorizationUrlOptions): Promise<AuthorizationRequest>
  /**
   * Finishes a login started with `authorizationUrl`: the full URL the browser came back with
   * (`req.originalUrl`), its query string, URLSearchParams, or `req.query`. Anything else rejects
   * with `ConfigError`.
   */
  handleCallback(callback: CallbackInput, options?: CallbackOptions): Promise<TokenSet>
  /**
   * The pure first step: the URL and the `pending` request, stored nowhere. Keep `pending` where it
   * is bound to this browser (its server-side session; `encodePending` serialises it) and pass it
   * to `completeCallback`.
   */
  createAuthorizationRequest(options?: AuthorizationUrlOptions): Promise<PreparedAuthorization>
  /** The pure second step: checks the callback against `pending` and exchanges the code (no StateStore). */
  completeCallback(
    callback: CallbackInput,
    pending: PendingAuthorization,
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
   * `aborted`; `session` stores the tokens as that session, like `handleCallback`.
   */
  pollDeviceAuthorization(
    grant: DeviceAuthorization,
    options?: { readonly signal?: AbortSignal | undefined; readonly session?: string | undefined },
  ): Promise<TokenSet>
  /** RFC 7662: asks the provider whether a token is active, authenticated as this client. */
  introspect(
    token: SecretInput,
    options?: { readonly hint?: "access_token" | "refresh_token" | undefined },
  ): Promise<Introspection>
  /**
   * A valid access token: cached, renewed before expiry (client credentials: a new token; a user
   * session: its refresh token), one renewal in flight per session across all callers and, with a
   * shared store and lock, across instances.
   */
  getAccessToken(options?: AccessTokenOptions): Promise<Redacted.Redacted<string>>
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
  fetch(
    input: string | URL | Request,
    init?: RequestInit & { readonly session?: string; readonly scopes?: ReadonlyArray<string> },
  ): Promise<Response>
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
  /** Stores a token set as a session (e.g. one restored from elsewhere). */
  setSession(session: string, tokens: TokenSet): Promise<void>
  /** Forgets a session locally (does not revoke). */
  clearSession(session: string): Promise<void>
  /** Releases the client's runtime (stores, timers). */
  dispose(): Promise<void>
}
