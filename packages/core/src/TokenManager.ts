/**
 * A valid access token on demand, per session: read from the TokenStore while fresh, otherwise
 * obtained again (client credentials) or refreshed (a user's refresh token), with one request in
 * flight per session in this process (single-flight) and the store's RefreshLock across
 * processes. A refreshed token is persisted before anyone gets it, so a rotated refresh token is
 * never lost.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { OAuth, TokenManager } from "@grantflow/core"
 * const manager = TokenManager.make(provider)
 * const token = manager.getAccessToken({ scopes: ["read"] }).pipe(Effect.provide(OAuth.layer()))
 * ```
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { clientCredentials } from "./ClientCredentials.js"
import {
  type ConfigError,
  ConfigError as ConfigErrorClass,
  type InvalidResponse,
  LoginRequired,
  type OAuthServerError,
  type StoreError,
  type TransportError,
} from "./Errors.js"
import type { AccessTokenOptions } from "./OAuthClient.js"
import type { Provider } from "./Provider.js"
import { refresh } from "./Refresh.js"
import { RefreshLock } from "./RefreshLock.js"
import type { TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"
import type { HttpTransport } from "./Transport.js"

export interface TokenManagerOptions {
  /** Treat a token as expired this many milliseconds before its `expiresAt` (default 60 000). */
  readonly skewMs?: number | undefined
}

/** Everything `getAccessToken` can fail with. */
export type TokenError =
  | ConfigError
  | TransportError
  | InvalidResponse
  | OAuthServerError
  | StoreError
  | LoginRequired

/** What `getTokenSet` needs from the context. */
export type TokenServices = HttpTransport | TokenStore | RefreshLock

export interface GetTokenOptions extends AccessTokenOptions {
  /**
   * An access token the resource server just refused: refresh unless the stored token is already
   * a different one (someone else refreshed meanwhile).
   */
  readonly rejected?: Redacted.Redacted<string> | undefined
}

export interface TokenManager {
  /** The TokenStore key of a session (or of the client-credentials token for `scopes`). */
  readonly keyOf: (session: string | undefined, scopes?: ReadonlyArray<string>) => string
  /** The current token set of a session, fetched or refreshed when needed. */
  readonly getTokenSet: (options?: GetTokenOptions) => Effect.Effect<TokenSet, TokenError, TokenServices>
  /** The current access token of a session. */
  readonly getAccessToken: (
    options?: GetTokenOptions,
  ) => Effect.Effect<Redacted.Redacted<string>, TokenError, TokenServices>
  /** Stores tokens as a user's session. */
  readonly setSession: (session: string, tokens: TokenSet) => Effect.Effect<void, StoreError, TokenStore>
  /** Forgets a user's session locally. */
  readonly clearSession: (session: string) => Effect.Effect<void, StoreError, TokenStore>
}

/** A TokenManager for one provider; its single-flight table lives as long as the manager. */
export const make = (provider: Provider, options: TokenManagerOptions = {}): TokenManager => {
  const skewMs = options.skewMs ?? 60_000
  const inflight = new Map<string, Deferred.Deferred<TokenSet, TokenError>>()
  const prefix = `${provider.id}:${provider.client.clientId}`

  const keyOf = (session: string | undefined, scopes: ReadonlyArray<string> = provider.defaultScopes): string =>
    session === undefined ? `${prefix}:cc:${[...scopes].sort().join(" ")}` : `${prefix}:user:${session}`

  const isFresh = (tokens: TokenSet, now: number): boolean =>
    tokens.expiresAt === undefined || tokens.expiresAt.getTime() - skewMs > now

  const usable = (tokens: TokenSet, now: number, o: GetTokenOptions): boolean => {
    if (o.rejected !== undefined) return Redacted.value(tokens.accessToken) !== Redacted.value(o.rejected)
    return o.forceRefresh !== true && isFresh(tokens, now)
  }

  const obtain = (key: string, current: Option.Option<TokenSet>, o: GetTokenOptions) =>
    Effect.gen(function* () {
      if (o.session === undefined) {
        if (provider.grant !== "client_credentials") {
          return yield* new ConfigErrorClass({
            reason: `provider ${provider.id} uses the authorization code grant: pass a session to getAccessToken`,
          })
        }
        return yield* clientCredentials(provider, { scopes: o.scopes ?? provider.defaultScopes })
      }
      if (Option.isNone(current)) return yield* new LoginRequired({ reason: "no-session" })
      const refreshToken = current.value.refreshToken
      if (refreshToken === undefined) return yield* new LoginRequired({ reason: "no-refresh-token" })
      return yield* refresh(provider, refreshToken)
    }).pipe(
      Effect.tap((tokens) => TokenStore.use((store) => store.set(key, tokens))),
    )

  const renew = (key: string, o: GetTokenOptions) =>
    Effect.gen(function* () {
      const lock = yield* RefreshLock
      const store = yield* TokenStore
      return yield* lock.withLock(
        key,
        Effect.gen(function* () {
          // Another holder of the lock may have renewed while we waited.
          const current = yield* store.get(key)
          const now = yield* Clock.currentTimeMillis
          if (Option.isSome(current) && usable(current.value, now, o)) return current.value
          return yield* obtain(key, current, o)
        }),
      )
    })

  const singleFlight = (key: string, work: Effect.Effect<TokenSet, TokenError, TokenServices>) =>
    Effect.suspend(() => {
      const running = inflight.get(key)
      if (running !== undefined) return Deferred.await(running)
      const deferred = Deferred.makeUnsafe<TokenSet, TokenError>()
      inflight.set(key, deferred)
      return work.pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            inflight.delete(key)
            return Deferred.done(deferred, exit)
          }),
        ),
      )
    })

  const getTokenSet = (o: GetTokenOptions = {}) =>
    Effect.gen(function* () {
      const key = keyOf(o.session, o.scopes)
      const store = yield* TokenStore
      const current = yield* store.get(key)
      const now = yield* Clock.currentTimeMillis
      if (Option.isSome(current) && usable(current.value, now, o)) return current.value
      return yield* singleFlight(key, renew(key, o))
    })

  return {
    keyOf,
    getTokenSet,
    getAccessToken: (o) => Effect.map(getTokenSet(o), (t) => t.accessToken),
    setSession: (session, tokens) => TokenStore.use((s) => s.set(keyOf(session), tokens)),
    clearSession: (session) => TokenStore.use((s) => s.delete(keyOf(session))),
  }
}
