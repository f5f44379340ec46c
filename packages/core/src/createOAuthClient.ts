/**
 * The Promise facade: `createOAuthClient(provider, options)` runs the Effect flows on a
 * ManagedRuntime built from the given (or default) transport and stores. Rejections are the
 * tagged errors themselves, so `err instanceof OAuthServerError` and `err._tag` both work.
 *
 * A thin shell: `getAccessToken`, `getTokenSet`, `fetch` (the ApiClient) and the session handles
 * go through the client's TokenManager (its one cache and one single-flight per session; renewed
 * before expiry; one renewal across instances through the RefreshLock). The only shortcut is the
 * manager's own `peek`: a fresh token it holds is returned without entering the Effect runtime.
 * After `dispose()` every call rejects with `ConfigError` ("disposed") and sends nothing.
 *
 * @example
 * ```ts
 * import { Providers, createOAuthClient } from "@grantflow/core"
 * const fuse = createOAuthClient(Providers.cryptofuse({ clientId, clientSecret }), { timeoutMs: 5_000 })
 * const res = await fuse.fetch("/rates/")
 * ```
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import type { KyInstance } from "ky"
import { ApiClient, type ApiClientOptions } from "./ApiClient.js"
import { authorize, createAuthorizationRequest } from "./Authorize.js"
import { completeCallback, handleCallback } from "./Callback.js"
import { clientCredentials } from "./ClientCredentials.js"
import { exchangeCode } from "./ExchangeCode.js"
import type { OAuthClient, OAuthSession } from "./OAuthClient.js"
import type { Provider } from "./Provider.js"
import { refresh } from "./Refresh.js"
import { RefreshLock } from "./RefreshLock.js"
import { revoke } from "./Revoke.js"
import { StateStore } from "./StateStore.js"
import * as SessionKey from "./SessionKey.js"
import {
  disposedError,
  type GetTokenOptions,
  type TokenChange,
  TokenManager,
  type TokenManagerOptions,
} from "./TokenManager.js"
import type { TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"
import { HttpTransport, type TransportOptions, describeRequest } from "./Transport.js"
import * as Stores from "./Stores.js"
import { abortable } from "./internal/abortSignal.js"
import { makeKyApi } from "./internal/kyApi.js"
import { deviceAuthorization, introspect, pollDeviceAuthorization } from "./internal/lazyFlows.js"
import { squashExit } from "./internal/runPromise.js"

export type { ServiceInput } from "./Stores.js"

/** `stores` / `tokenStore` / `stateStore` / `refreshLock`: see Stores (a shared store beside the in-memory lock is refused). */
export interface OAuthClientOptions extends TransportOptions, ApiClientOptions, Stores.StoresOptions {
  /** Replaces the default fetch transport, e.g. with `KyTransport.layer()` from `@grantflow/core/ky` (then `timeoutMs`, `retries`, ... are the replacement's business). */
  readonly transport?: Stores.ServiceInput<HttpTransport, HttpTransport["Service"]> | undefined
  /** How long an authorization request waits for its callback (default 10 minutes). */
  readonly stateTtlMs?: number | undefined
  /** Refresh this long before a token expires (default 60 s; shorthand for `tokenManager.skewMs`). */
  readonly refreshSkewMs?: number | undefined
  /**
   * Refresh policy (skew, its cap for short lifetimes, jitter), lock timings, memo size and
   * `maxConcurrentRenewals` of `getAccessToken` (`onTokens` is the option below).
   */
  readonly tokenManager?: Omit<TokenManagerOptions, "onTokens"> | undefined
  /**
   * Called after every change of a session's tokens (`reason`: login, set, refresh, clear,
   * rejected, expired), before the new tokens are handed out; awaited. Its secrets are `Redacted`; a hook
   * that throws is logged (without the event) and does not fail the change.
   */
  readonly onTokens?: ((change: TokenChange) => void | Promise<void>) | undefined
  /** Receives the client's spans (`OAuth.getAccessToken`, `OAuth.refresh`, ...), e.g. an OpenTelemetry tracer. */
  readonly tracer?: Tracer.Tracer | undefined
}

const toLayer = <I, S>(
  key: Context.Key<I, S>,
  input: Stores.ServiceInput<I, S> | undefined,
  fallback: () => Layer.Layer<I>,
): Layer.Layer<I, unknown> => {
  if (input === undefined) return fallback()
  if (Layer.isLayer(input)) return input as Layer.Layer<I, unknown>
  return Layer.succeed(key, input as S)
}

type Services = HttpTransport | StateStore | TokenStore | RefreshLock | TokenManager | ApiClient

/** Creates the Promise client for one provider. Call `dispose()` when done. */
export const createOAuthClient = (provider: Provider, options: OAuthClientOptions = {}): OAuthClient => {
  Stores.checkPlain(options)
  const stores = Layer.merge(
    toLayer(HttpTransport, options.transport, () => HttpTransport.layer(options)),
    Stores.layer(options),
  )
  const hook = options.onTokens
  const managerLayer = TokenManager.layer({
    ...options.tokenManager,
    skewMs: options.tokenManager?.skewMs ?? options.refreshSkewMs,
    onTokens:
      hook === undefined
        ? undefined
        : (change) => Effect.tryPromise({ try: async () => hook(change), catch: (cause) => cause }),
  })
  const services = Layer.provideMerge(ApiClient.layer(options), Layer.provideMerge(managerLayer, stores))
  // Without a tracer nobody can see this client's spans: tracing off spares every call their cost.
  const layer =
    options.tracer === undefined
      ? Layer.merge(services, Layer.succeed(References.TracerEnabled, false))
      : Layer.merge(services, Layer.succeed(Tracer.Tracer, options.tracer))
  const runtime = ManagedRuntime.make(layer)
  // Set when dispose() starts: from then on nothing enters the runtime, and a call it interrupts
  // (or one that meets the closed runtime) rejects with the same typed error.
  let disposed = false
  const settle = <A, E>(exit: Exit.Exit<A, E>): A => {
    if (Exit.isFailure(exit) && disposed && Cause.findErrorOption(exit.cause)._tag === "None")
      throw disposedError()
    return squashExit(exit)
  }
  const run = <A, E>(effect: Effect.Effect<A, E, Services>): Promise<A> =>
    disposed ? Promise.reject(disposedError()) : runtime.runPromiseExit(effect).then(settle)

  // The manager of the runtime, known after the first call that went through it; its `peek` is
  // the hot path (a fresh token without entering the runtime).
  let manager: TokenManager["Service"] | undefined
  const withManager = <A, E>(f: (m: TokenManager["Service"]) => Effect.Effect<A, E, Services>) =>
    run(
      TokenManager.use((m) => {
        manager = m
        return f(m)
      }),
    )
  // The key of calls without options, computed once (it is the hot path's common case).
  const defaultKey = SessionKey.of(provider)
  const keyOf = (o: GetTokenOptions | undefined): string | undefined => {
    if (o === undefined) return defaultKey
    if (o.session === "") return undefined // the manager refuses it with ConfigError
    return SessionKey.of(provider, o)
  }

  const getTokenSet = (o?: GetTokenOptions): Promise<TokenSet> =>
    withManager((m) => m.getTokenSet(provider, o))
  const getAccessToken = (o?: GetTokenOptions): Promise<Redacted.Redacted<string>> => {
    if (disposed) return Promise.reject(disposedError())
    if (manager !== undefined && o?.forceRefresh !== true && o?.rejected === undefined) {
      const key = keyOf(o)
      const token = key === undefined ? undefined : manager.peek(key)
      if (token !== undefined) return Promise.resolve(token)
    }
    return withManager((m) => m.getAccessToken(provider, o))
  }

  const setSession = (session: string | undefined, tokens: TokenSet) =>
    withManager((m) => m.setSession(provider, session, tokens))
  const clearSession = (session?: string) => withManager((m) => m.clearSession(provider, session))

  const session = (name?: string): OAuthSession => {
    // Checked now, so a bad name fails where it is written.
    const key = SessionKey.of(provider, { session: name })
    const named = { session: name }
    const fetch = (input: string | URL | Request, init?: RequestInit) =>
      client.fetch(input, { ...init, ...named })
    let sessionApi: KyInstance | undefined
    return {
      name,
      key,
      getAccessToken: (o) => getAccessToken({ ...o, ...named }),
      getTokenSet: (o) => getTokenSet({ ...o, ...named }),
      fetch,
      get api() {
        sessionApi ??= makeKyApi(provider, fetch, options.timeoutMs ?? 10_000)
        return sessionApi
      },
      set: (tokens) => setSession(name, tokens),
      clear: () => clearSession(name),
    }
  }

  // A completed login is stored as the named session or, without a name, as the default session;
  // a client-credentials client has no default user session, so only a named one is stored there.
  const storeLogin = (
    m: TokenManager["Service"],
    o: { readonly session?: string | undefined; readonly store?: boolean | undefined } | undefined,
    tokens: TokenSet,
  ) =>
    o?.store === false || (o?.session === undefined && provider.grant === "client_credentials")
      ? Effect.void
      : m.setSession(provider, o?.session, tokens, "login")

  let kyApi: KyInstance | undefined
  const client: OAuthClient = {
    provider,
    authorizationUrl: (o) => run(authorize(provider, { ...o, stateTtlMs: options.stateTtlMs })),
    handleCallback: (callback, o) =>
      withManager((m) =>
        handleCallback(provider, callback).pipe(Effect.tap((tokens) => storeLogin(m, o, tokens))),
      ),
    createAuthorizationRequest: (o) =>
      run(createAuthorizationRequest(provider, { ...o, stateTtlMs: options.stateTtlMs })),
    completeCallback: (callback, pendingLogin, o) =>
      withManager((m) =>
        completeCallback(provider, callback, pendingLogin).pipe(
          Effect.tap((tokens) => storeLogin(m, o, tokens)),
        ),
      ),
    exchangeCode: (code, o) =>
      run(exchangeCode(provider, { code, codeVerifier: o?.codeVerifier, redirectUri: o?.redirectUri })),
    clientCredentials: (o) => run(clientCredentials(provider, { scopes: o?.scopes })),
    refresh: (token, o) => run(refresh(provider, token, { scopes: o?.scopes })),
    revoke: (token, o) => run(revoke(provider, token, { hint: o?.hint })),
    deviceAuthorization: (o) => run(deviceAuthorization(provider, { scopes: o?.scopes })),
    pollDeviceAuthorization: (grant, o) =>
      withManager((m) =>
        abortable(
          pollDeviceAuthorization(provider, grant),
          o?.signal,
          describeRequest("POST", provider.endpoints.token),
        ).pipe(Effect.tap((tokens) => storeLogin(m, o, tokens))),
      ),
    introspect: (token, o) => run(introspect(provider, token, { hint: o?.hint })),
    getAccessToken,
    getTokenSet,
    fetch: (input, init) => run(ApiClient.use((api) => api.fetch(provider, input, init))),
    get api() {
      // Built on first use: that is when ky (an optional peer dependency) is loaded.
      kyApi ??= makeKyApi(provider, client.fetch, options.timeoutMs ?? 10_000)
      return kyApi
    },
    session,
    setSession,
    clearSession,
    dispose: () => {
      disposed = true
      return runtime.dispose()
    },
  }
  return client
}
