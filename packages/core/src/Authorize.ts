/**
 * Step one of the authorization code flow: the URL to send the browser to, with a fresh
 * `state` (256 bits from a CSPRNG) and a PKCE challenge.
 *
 * - `createAuthorizationRequest` is the pure step: it returns `{ url, pending }` and keeps
 *   nothing. The app keeps `pending` where it binds to the browser (its server-side session,
 *   `encodePending` / `decodePending` to serialise it) and hands it to `completeCallback`. No
 *   store holds logins that strangers start, so a flood of them evicts nobody.
 * - `authorize` is that step plus a `StateStore.put`, for `handleCallback` to take it back.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * // pure: keep `pending` in the user's session
 * const { url, pending } = await Effect.runPromise(OAuth.createAuthorizationRequest(provider, { scopes: ["read"] }))
 * // or with the StateStore
 * const { url: url2 } = await Effect.runPromise(
 *   OAuth.authorize(provider, { scopes: ["read", "trade"] }).pipe(Effect.provide(OAuth.layer())),
 * )
 * ```
 */
import { RESERVED_PARAMS, authorizationUrl } from "@grantflow/kernel/AuthorizationRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { ConfigError, type StoreError } from "./Errors.js"
import type { PendingAuthorization } from "./PendingAuthorization.js"
import * as Pkce from "./Pkce.js"
import type { Provider } from "./Provider.js"
import { StateStore } from "./StateStore.js"
import { validateUrl } from "./internal/validateUrl.js"

/** How long a pending authorization waits for its callback by default. */
export const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000

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

export interface AuthorizeOptions extends AuthorizationUrlOptions {
  /** How long the pending request stays valid (default 10 minutes). */
  readonly stateTtlMs?: number | undefined
  /** Permit a plain-http, non-loopback `redirectUri` override (test setups only). */
  readonly allowInsecureHttp?: boolean | undefined
}


const configError = (reason: string) => Effect.fail(new ConfigError({ reason }))

/** An authorization request ready to send: the URL for the browser and what its callback is checked against. */
export interface PreparedAuthorization {
  readonly url: string
  /** State, PKCE verifier (Redacted), redirect URI, scopes and expiry; keep it until the callback. */
  readonly pending: PendingAuthorization
}

/** Builds the authorization URL and its pending request, and stores nothing (the pure step). */
export const createAuthorizationRequest = Effect.fn("OAuth.createAuthorizationRequest")(function* (
  provider: Provider,
  options: AuthorizeOptions = {},
): Effect.fn.Return<PreparedAuthorization, ConfigError> {
  const endpoint = provider.endpoints.authorization
  if (endpoint === undefined)
    return yield* configError(`provider ${provider.id} has no authorization endpoint`)
  const redirectUri = options.redirectUri ?? provider.client.redirectUri
  if (redirectUri === undefined) return yield* configError("a redirectUri is required to authorize")
  if (options.redirectUri !== undefined) {
    yield* Effect.try({
      try: () =>
        validateUrl("redirectUri", options.redirectUri, {
          allowCustomScheme: true,
          allowInsecureHttp: options.allowInsecureHttp,
        }),
      catch: (e) => (e instanceof ConfigError ? e : new ConfigError({ reason: "redirectUri is invalid" })),
    })
  }
  const ttl = options.stateTtlMs ?? DEFAULT_STATE_TTL_MS
  if (!(ttl > 0)) return yield* configError("stateTtlMs must be positive")
  const scopes = options.scopes ?? provider.defaultScopes
  for (const key of Object.keys(options.extraParams ?? {})) {
    if (RESERVED_PARAMS.has(key)) return yield* configError(`extraParams cannot set the protocol parameter ${key}`)
  }

  const state = yield* Pkce.randomToken(32)
  const pkce = provider.dialect.pkce === "none" ? undefined : yield* Pkce.make(provider.dialect.pkce)
  const now = yield* Clock.currentTimeMillis

  const url = authorizationUrl({
    endpoint,
    clientId: provider.client.clientId,
    redirectUri,
    scopes,
    scopeDelimiter: provider.dialect.scopeDelimiter,
    state,
    codeChallenge: pkce?.challenge,
    codeChallengeMethod: pkce?.method,
    extraParams: options.extraParams,
  })

  const pending: PendingAuthorization = {
    state,
    providerId: provider.id,
    codeVerifier: pkce?.verifier,
    redirectUri,
    scopes: [...scopes],
    createdAt: now,
    expiresAt: now + ttl,
  }
  return { url, pending }
})

/** Builds the authorization URL and remembers the pending request in the StateStore. */
export const authorize = Effect.fn("OAuth.authorize")(function* (
  provider: Provider,
  options: AuthorizeOptions = {},
): Effect.fn.Return<AuthorizationRequest, ConfigError | StoreError, StateStore> {
  const { url, pending } = yield* createAuthorizationRequest(provider, options)
  const store = yield* StateStore
  yield* store.put(pending)
  return { url, state: pending.state, expiresAt: new Date(pending.expiresAt) }
})
