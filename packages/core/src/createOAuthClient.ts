/**
 * The Promise facade: `createOAuthClient(provider, options)` runs the Effect flows on a
 * ManagedRuntime built from the given (or default) transport and stores. Rejections are the
 * tagged errors themselves, so `err instanceof OAuthServerError` and `err._tag` both work.
 *
 * `getAccessToken` and `fetch` go through the client's TokenManager (cached, renewed before
 * expiry, single-flight, one renewal across instances through the RefreshLock). A token this
 * client already holds and that is fresh is returned without entering the Effect runtime.
 *
 * @example
 * ```ts
 * import { Providers, createOAuthClient } from "@grantflow/core"
 * const fuse = createOAuthClient(Providers.cryptofuse({ clientId, clientSecret }), { timeoutMs: 5_000 })
 * const res = await fuse.fetch("/rates/")
 * ```
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import type { KyInstance } from "ky"
import { ApiClient, type ApiClientOptions } from "./ApiClient.js"
import { authorize, createAuthorizationRequest } from "./Authorize.js"
import { completeCallback, handleCallback } from "./Callback.js"
import { clientCredentials } from "./ClientCredentials.js"
import { deviceAuthorization } from "./DeviceAuthorization.js"
import { exchangeCode } from "./ExchangeCode.js"
import { introspect } from "./Introspection.js"
import type { OAuthClient } from "./OAuthClient.js"
import { pollDeviceAuthorization } from "./PollDeviceAuthorization.js"
import type { Provider } from "./Provider.js"
import { refresh } from "./Refresh.js"
import { RefreshLock } from "./RefreshLock.js"
import { revoke } from "./Revoke.js"
import { StateStore } from "./StateStore.js"
import * as SessionKey from "./SessionKey.js"
import { type GetTokenOptions, TokenManager, type TokenManagerOptions } from "./TokenManager.js"
import { TokenStore } from "./TokenStore.js"
import { HttpTransport, type TransportOptions, describeRequest } from "./Transport.js"
import * as Stores from "./Stores.js"
import { abortable } from "./internal/abortSignal.js"
import { makeKyApi } from "./internal/kyApi.js"
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
  /** Refresh policy (skew, its cap for short lifetimes, jitter), lock timings and memo size of `getAccessToken`. */
  readonly tokenManager?: TokenManagerOptions | undefined
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
  const managerLayer = TokenManager.layer({
    ...options.tokenManager,
    skewMs: options.tokenManager?.skewMs ?? options.refreshSkewMs,
  })
  const services = Layer.provideMerge(ApiClient.layer(options), Layer.provideMerge(managerLayer, stores))
  const layer =
    options.tracer === undefined
      ? services
      : Layer.merge(services, Layer.succeed(Tracer.Tracer, options.tracer))
  const runtime = ManagedRuntime.make(layer)
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromiseExit(effect).then(squashExit)

  // The manager of the runtime, known after the first call that went through it; from then on a
  // fresh token it holds is returned without entering the runtime (the hot path).
  let manager: TokenManager["Service"] | undefined
  const withManager = <A, E>(f: (m: TokenManager["Service"]) => Effect.Effect<A, E, Services>) =>
    run(
      TokenManager.use((m) => {
        manager = m
        return f(m)
      }),
    )
  const clientKey = SessionKey.clientCredentials(provider)
  const userPrefix = `${SessionKey.prefix(provider)}:user:`
  const keyOf = (o: GetTokenOptions | undefined): string | undefined => {
    if (o === undefined) return clientKey
    if (o.session !== undefined) return o.session === "" ? undefined : userPrefix + o.session
    return o.scopes === undefined ? clientKey : SessionKey.clientCredentials(provider, o.scopes)
  }
  // The last token handed out and its resolved promise: a hot caller gets the same promise back.
  let lastToken: Redacted.Redacted<string> | undefined
  let lastPromise: Promise<Redacted.Redacted<string>> | undefined

  // Calls that missed the memo, per session: a herd of callers shares one trip through the
  // runtime (where the manager single-flights the renewal) instead of one fiber each.
  const pending = new Map<string, Promise<Redacted.Redacted<string>>>()

  const getAccessToken = (o?: GetTokenOptions): Promise<Redacted.Redacted<string>> => {
    if (o?.forceRefresh === true || o?.rejected !== undefined)
      return withManager((m) => m.getAccessToken(provider, o))
    const key = keyOf(o)
    if (key === undefined) return withManager((m) => m.getAccessToken(provider, o))
    const token = manager?.peek(key)
    if (token !== undefined) {
      if (token !== lastToken || lastPromise === undefined) {
        lastToken = token
        lastPromise = Promise.resolve(token)
      }
      return lastPromise
    }
    const running = pending.get(key)
    if (running !== undefined) return running
    const call = withManager((m) => m.getAccessToken(provider, o))
    pending.set(key, call)
    const done = () => {
      if (pending.get(key) === call) pending.delete(key)
    }
    call.then(done, done)
    return call
  }

  let kyApi: KyInstance | undefined
  const client: OAuthClient = {
    provider,
    authorizationUrl: (o) => run(authorize(provider, { ...o, stateTtlMs: options.stateTtlMs })),
    handleCallback: (callback, o) =>
      withManager((m) =>
        handleCallback(provider, callback).pipe(
          Effect.tap((tokens) =>
            o?.session === undefined ? Effect.void : m.setSession(provider, o.session, tokens),
          ),
        ),
      ),
    createAuthorizationRequest: (o) =>
      run(createAuthorizationRequest(provider, { ...o, stateTtlMs: options.stateTtlMs })),
    completeCallback: (callback, pendingLogin, o) =>
      withManager((m) =>
        completeCallback(provider, callback, pendingLogin).pipe(
          Effect.tap((tokens) =>
            o?.session === undefined ? Effect.void : m.setSession(provider, o.session, tokens),
          ),
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
        ).pipe(
          Effect.tap((tokens) =>
            o?.session === undefined ? Effect.void : m.setSession(provider, o.session, tokens),
          ),
        ),
      ),
    introspect: (token, o) => run(introspect(provider, token, { hint: o?.hint })),
    getAccessToken: (o) => getAccessToken(o),
    fetch: (input, init) => run(ApiClient.use((api) => api.fetch(provider, input, init))),
    get api() {
      // Built on first use: that is when ky (an optional peer dependency) is loaded.
      kyApi ??= makeKyApi(provider, client.fetch, options.timeoutMs ?? 10_000)
      return kyApi
    },
    setSession: (session, tokens) => withManager((m) => m.setSession(provider, session, tokens)),
    clearSession: (session) => withManager((m) => m.clearSession(provider, session)),
    dispose: () => runtime.dispose(),
  }
  return client
}
