/**
 * The Promise facade: `createOAuthClient(provider, options)` runs the Effect flows on a
 * ManagedRuntime built from the given (or default) transport and stores. Rejections are the
 * tagged errors themselves, so `err instanceof OAuthServerError` and `err._tag` both work.
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
import * as Redacted from "effect/Redacted"
import { authorize } from "./Authorize.js"
import { handleCallback } from "./Callback.js"
import { clientCredentials } from "./ClientCredentials.js"
import { ConfigError } from "./Errors.js"
import { exchangeCode } from "./ExchangeCode.js"
import * as MemoryRefreshLock from "./MemoryRefreshLock.js"
import * as MemoryStateStore from "./MemoryStateStore.js"
import * as MemoryTokenStore from "./MemoryTokenStore.js"
import type { OAuthClient } from "./OAuthClient.js"
import type { Provider } from "./Provider.js"
import { refresh } from "./Refresh.js"
import { RefreshLock } from "./RefreshLock.js"
import { revoke } from "./Revoke.js"
import { StateStore } from "./StateStore.js"
import * as TokenManager from "./TokenManager.js"
import { TokenStore } from "./TokenStore.js"
import { HttpTransport, type TransportOptions } from "./Transport.js"
import { squashExit } from "./internal/runPromise.js"

/** A service given either as a Layer (e.g. `RedisStores.layer(...)`) or as a ready implementation. */
export type ServiceInput<I, S> = Layer.Layer<I, unknown> | S

export interface OAuthClientOptions extends TransportOptions {
  readonly stateStore?: ServiceInput<StateStore, StateStore["Service"]> | undefined
  readonly tokenStore?: ServiceInput<TokenStore, TokenStore["Service"]> | undefined
  readonly refreshLock?: ServiceInput<RefreshLock, RefreshLock["Service"]> | undefined
  /** Replaces the ky transport (then `timeoutMs`, `retries`, ... are the replacement's business). */
  readonly transport?: ServiceInput<HttpTransport, HttpTransport["Service"]> | undefined
  /** How long an authorization request waits for its callback (default 10 minutes). */
  readonly stateTtlMs?: number | undefined
  /** Refresh this long before a token expires (default 60 s). */
  readonly refreshSkewMs?: number | undefined
}

const toLayer = <I, S>(
  key: Context.Key<I, S>,
  input: ServiceInput<I, S> | undefined,
  fallback: () => Layer.Layer<I>,
): Layer.Layer<I, unknown> => {
  if (input === undefined) return fallback()
  if (Layer.isLayer(input)) return input as Layer.Layer<I, unknown>
  return Layer.succeed(key, input as S)
}

const isAbsolute = (input: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(input)

/** Creates the Promise client for one provider. Call `dispose()` when done. */
export const createOAuthClient = (provider: Provider, options: OAuthClientOptions = {}): OAuthClient => {
  const layer = Layer.mergeAll(
    toLayer(HttpTransport, options.transport, () => HttpTransport.layer(options)),
    toLayer(StateStore, options.stateStore, MemoryStateStore.layer),
    toLayer(TokenStore, options.tokenStore, MemoryTokenStore.layer),
    toLayer(RefreshLock, options.refreshLock, MemoryRefreshLock.layer),
  )
  const runtime = ManagedRuntime.make(layer)
  const run = <A, E>(effect: Effect.Effect<A, E, HttpTransport | StateStore | TokenStore | RefreshLock>) =>
    runtime.runPromiseExit(effect).then(squashExit)
  const manager = TokenManager.make(provider, { skewMs: options.refreshSkewMs })
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))

  // Only the provider's own hosts ever see its access tokens.
  const allowedOrigins = new Set(
    Object.values(provider.endpoints)
      .filter((u): u is string => typeof u === "string")
      .map((u) => new URL(u).origin),
  )

  const resolve = (input: string | URL | Request): string => {
    const raw = input instanceof Request ? input.url : input instanceof URL ? input.toString() : input
    if (isAbsolute(raw)) return raw
    const base = provider.endpoints.api
    if (base === undefined) {
      throw new ConfigError({ reason: `provider ${provider.id} has no api base: pass an absolute URL to fetch` })
    }
    return `${base.replace(/\/+$/, "")}/${raw.replace(/^\/+/, "")}`
  }

  const authorizeRequest = (request: Request, token: Redacted.Redacted<string>): Request => {
    const authed = new Request(request)
    const auth = provider.dialect.apiAuth
    if (auth.kind === "bearer") {
      authed.headers.set("authorization", `Bearer ${Redacted.value(token)}`)
    } else {
      authed.headers.set(auth.header, Redacted.value(token))
      if (auth.appKeyHeader !== undefined) authed.headers.set(auth.appKeyHeader, provider.client.clientId)
    }
    return authed
  }

  const client: OAuthClient = {
    provider,
    authorizationUrl: (o) => run(authorize(provider, { ...o, stateTtlMs: options.stateTtlMs })),
    handleCallback: (callback, o) =>
      run(
        handleCallback(provider, callback).pipe(
          Effect.tap((tokens) => (o?.session === undefined ? Effect.void : manager.setSession(o.session, tokens))),
        ),
      ),
    exchangeCode: (code, o) => run(exchangeCode(provider, { code, codeVerifier: o?.codeVerifier, redirectUri: o?.redirectUri })),
    clientCredentials: (o) => run(clientCredentials(provider, { scopes: o?.scopes })),
    refresh: (token, o) => run(refresh(provider, token, { scopes: o?.scopes })),
    revoke: (token, o) => run(revoke(provider, token, { hint: o?.hint })),
    getAccessToken: (o) => run(manager.getAccessToken(o)),
    fetch: async (input, init) => {
      const { session, ...requestInit } = init ?? {}
      const url = resolve(input)
      if (!allowedOrigins.has(new URL(url).origin)) {
        throw new ConfigError({
          reason: `refusing to send ${provider.id}'s access token to ${new URL(url).origin}, which is not one of its endpoints`,
        })
      }
      const base = input instanceof Request ? new Request(url, new Request(input, requestInit)) : new Request(url, requestInit)
      // Keep an unread copy: the body of the first attempt is consumed by sending it.
      const spare = base.clone()
      const token = await run(manager.getAccessToken({ session }))
      const response = await fetchImpl(authorizeRequest(base, token))
      if (response.status !== 401) return response
      await response.body?.cancel().catch(() => undefined)
      const renewed = await run(manager.getAccessToken({ session, rejected: token }))
      return fetchImpl(authorizeRequest(spare, renewed))
    },
    setSession: (session, tokens) => run(manager.setSession(session, tokens)),
    clearSession: (session) => run(manager.clearSession(session)),
    dispose: () => runtime.dispose(),
  }
  return client
}
