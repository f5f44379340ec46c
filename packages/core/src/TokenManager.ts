/**
 * A valid access token on demand, per session, for any provider. The lifecycle, by construction:
 *
 * - **Cached**: a fresh token comes from this instance's memo of the TokenStore, else from the
 *   store; nothing is requested while a token is fresh (see RefreshPolicy for "fresh").
 * - **Renewed before expiry**: client-credentials sessions request a new token, user sessions
 *   spend their refresh token.
 * - **Single-flight**: any number of concurrent callers for one session share one renewal. It runs
 *   detached, in a fiber owned by the manager, so a caller that is interrupted (a timeout, a
 *   closed request) never fails the others. A failed renewal is not cached: every waiting caller
 *   gets its typed error, and the next call tries again.
 * - **One renewal across instances**: the renewal holds the `RefreshLock` of the session, then
 *   reads the store again and takes the token another instance just stored instead of renewing
 *   twice (a rotated refresh token spent twice kills the session).
 * - **Persisted before handed out**: the new token set is written to the store (awaited) before any
 *   caller sees it; a refresh answer without a refresh token keeps the old one.
 * - **No refresh loops**: a refresh token the server refuses (`invalid_grant`) deletes the session
 *   and fails with `LoginRequired` ("refresh-token-rejected").
 *
 * Every call is a span (`OAuth.getAccessToken`, and `OAuth.renewToken` for the renewal) with the
 * provider, the grant, `oauth.cache` (hit, miss, refresh) and the outcome; the session key appears
 * only as a fingerprint, never a token.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth, Providers } from "@grantflow/core"
 * const fuse = Providers.cryptofuse({ clientId, clientSecret })
 * const token = OAuth.getAccessToken(fuse, { scopes: ["read"] }) // Effect<Redacted<string>, TokenError, TokenManager>
 * await Effect.runPromise(token.pipe(Effect.provide(OAuth.layer())))
 * ```
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Hash from "effect/Hash"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { clientCredentials } from "./ClientCredentials.js"
import {
  ConfigError,
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
import * as RefreshPolicy from "./RefreshPolicy.js"
import * as SessionKey from "./SessionKey.js"
import type { TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"
import { HttpTransport } from "./Transport.js"
import { TokenMemo } from "./internal/tokenMemo.js"
import { withOutcome } from "./internal/spans.js"

/** Tuning of a TokenManager; every field has a default. */
export interface TokenManagerOptions extends RefreshPolicy.RefreshPolicyOptions {
  /** How long a renewal may hold the session's RefreshLock if its holder dies (the lock's default when omitted). */
  readonly lockTtlMs?: number | undefined
  /** How long a renewal waits for the session's RefreshLock (the lock's default when omitted). */
  readonly lockWaitMs?: number | undefined
  /** Sessions whose fresh token this instance keeps in memory (default 10 000; 0 reads the store every call). */
  readonly maxCachedSessions?: number | undefined
}

/** Everything `getAccessToken` can fail with. */
export type TokenError =
  ConfigError | TransportError | InvalidResponse | OAuthServerError | StoreError | LoginRequired

/** What a TokenManager needs: it captures them when it is built. */
export type TokenServices = HttpTransport | TokenStore | RefreshLock

/** Options of `getTokenSet` / `getAccessToken`. */
export interface GetTokenOptions extends AccessTokenOptions {
  /**
   * An access token a resource server just refused (HTTP 401): renew, unless the stored token is
   * already a different one (another caller or instance renewed meanwhile).
   */
  readonly rejected?: Redacted.Redacted<string> | undefined
}

/** The token lifecycle service. One per app (or per Promise client); it serves every provider. */
export class TokenManager extends Context.Service<
  TokenManager,
  {
    /** The current token set of a session, renewed when needed. */
    readonly getTokenSet: (
      provider: Provider,
      options?: GetTokenOptions,
    ) => Effect.Effect<TokenSet, TokenError>
    /** The current access token of a session, renewed when needed. */
    readonly getAccessToken: (
      provider: Provider,
      options?: GetTokenOptions,
    ) => Effect.Effect<Redacted.Redacted<string>, TokenError>
    /**
     * The access token this instance holds for a `SessionKey` while it is fresh at `now` (default
     * `Date.now()`), without any I/O; undefined means "ask `getAccessToken`".
     */
    readonly peek: (key: string, now?: number) => Redacted.Redacted<string> | undefined
    /** Stores tokens (e.g. from a login) as a user's session; waits for a renewal of it in progress. */
    readonly setSession: (
      provider: Provider,
      session: string,
      tokens: TokenSet,
    ) => Effect.Effect<void, StoreError | ConfigError>
    /** Forgets a user's session (does not revoke); waits for a renewal of it in progress. */
    readonly clearSession: (
      provider: Provider,
      session: string,
    ) => Effect.Effect<void, StoreError | ConfigError>
    /** The refresh policy in use. */
    readonly policy: RefreshPolicy.RefreshPolicy
  }
>()("@grantflow/core/TokenManager") {
  /**
   * A Layer with a TokenManager over the context's transport, token store and refresh lock.
   * Throws ConfigError right away for settings out of range, like the provider presets.
   */
  static readonly layer = (
    options: TokenManagerOptions = {},
  ): Layer.Layer<TokenManager, never, TokenServices> => {
    RefreshPolicy.make(options)
    return Layer.effect(TokenManager, make(options))
  }

  /** Builds a TokenManager in the current scope (see `make`). */
  static readonly make = (options: TokenManagerOptions = {}) => make(options)
}

type SessionKind = "client" | "user"

const sessionKey = (provider: Provider, options: GetTokenOptions): Effect.Effect<string, ConfigError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(SessionKey.of(provider, options))
    } catch (error) {
      return Effect.fail(error as ConfigError)
    }
  })

const sameToken = (a: Redacted.Redacted<string>, b: Redacted.Redacted<string> | undefined): boolean =>
  b !== undefined && (a === b || Redacted.value(a) === Redacted.value(b))

const isInvalidGrant = (e: TokenError): e is OAuthServerError =>
  e._tag === "OAuthServerError" && e.error === "invalid_grant"

/** A refresh answer may leave out what did not change (RFC 6749 §5.1 `scope`; OpenID `id_token`). */
const carryOver = (previous: TokenSet, next: TokenSet): TokenSet => ({
  ...next,
  scopes: next.scopes.length > 0 ? next.scopes : previous.scopes,
  idToken: next.idToken ?? previous.idToken,
})

const PERSIST_RETRY_DELAYS_MS = [25, 100]

/**
 * Builds a TokenManager whose renewals run in fibers of the current scope: closing it (disposing
 * the layer or the Promise client) interrupts renewals in progress.
 */
export const make = (
  options: TokenManagerOptions = {},
): Effect.Effect<TokenManager["Service"], never, TokenServices | Scope.Scope> =>
  Effect.gen(function* () {
    const policy = RefreshPolicy.make(options)
    const store = yield* TokenStore
    const lock = yield* RefreshLock
    // Only these three: the whole build-time context would also carry, e.g., the span the layer
    // was built in, and renewals would be parented to it.
    const services = Context.make(HttpTransport, yield* HttpTransport).pipe(
      Context.add(TokenStore, store),
      Context.add(RefreshLock, lock),
    )
    const scope = yield* Effect.scope
    const memo = new TokenMemo(options.maxCachedSessions ?? 10_000)
    const inflight = new Map<string, Deferred.Deferred<TokenSet, TokenError>>()
    // One draw per instance: instances spread their refresh points, sessions within one are spread by key.
    const seed = Math.random()
    const lockOptions = { ttlMs: options.lockTtlMs, waitMs: options.lockWaitMs }

    const renewAt = (key: string, kind: SessionKind, tokens: TokenSet): number => {
      if (tokens.expiresAt === undefined) return Number.POSITIVE_INFINITY
      // Nothing to renew with: the token serves until it really expires.
      if (kind === "user" && tokens.refreshToken === undefined) return tokens.expiresAt.getTime()
      return policy.refreshAt(tokens, (seed + (Hash.string(key) >>> 0) / 2 ** 32) % 1)
    }

    const usable = (
      key: string,
      kind: SessionKind,
      tokens: TokenSet,
      now: number,
      rejected?: Redacted.Redacted<string>,
    ) => !sameToken(tokens.accessToken, rejected) && now < renewAt(key, kind, tokens)

    const persist = Effect.fnUntraced(function* (key: string, tokens: TokenSet) {
      // The answer is only in memory now; with a rotating server the old refresh token is spent,
      // so a store hiccup must not lose it.
      for (const delay of PERSIST_RETRY_DELAYS_MS) {
        const written = yield* Effect.result(store.set(key, tokens))
        if (written._tag === "Success") return
        yield* Effect.sleep(delay)
      }
      yield* store.set(key, tokens)
    })

    /** invalid_grant: the session is over, unless another holder rotated it meanwhile (its lock had expired). */
    const refreshTokenRejected = Effect.fnUntraced(function* (key: string, spent: Redacted.Redacted<string>) {
      const latest = yield* store.get(key)
      if (
        Option.isSome(latest) &&
        latest.value.refreshToken !== undefined &&
        !sameToken(latest.value.refreshToken, spent)
      ) {
        return { tokens: latest.value, persist: false }
      }
      yield* store.delete(key)
      memo.invalidate(key)
      return yield* new LoginRequired({ reason: "refresh-token-rejected" })
    })

    const obtain = Effect.fnUntraced(function* (
      provider: Provider,
      key: string,
      kind: SessionKind,
      scopes: ReadonlyArray<string> | undefined,
      current: Option.Option<TokenSet>,
    ) {
      if (kind === "client") {
        const tokens = yield* clientCredentials(provider, { scopes: scopes ?? provider.defaultScopes })
        return { tokens, persist: true }
      }
      if (Option.isNone(current)) return yield* new LoginRequired({ reason: "no-session" })
      const refreshToken = current.value.refreshToken
      if (refreshToken === undefined) return yield* new LoginRequired({ reason: "no-refresh-token" })
      return yield* refresh(provider, refreshToken).pipe(
        Effect.map((tokens) => ({ tokens: carryOver(current.value, tokens), persist: true })),
        Effect.catchIf(isInvalidGrant, () => refreshTokenRejected(key, refreshToken)),
      )
    })

    const renew = Effect.fn("OAuth.renewToken")(function* (
      provider: Provider,
      key: string,
      kind: SessionKind,
      scopes: ReadonlyArray<string> | undefined,
      rejected: Redacted.Redacted<string> | undefined,
    ): Effect.fn.Return<TokenSet, TokenError> {
      yield* Effect.annotateCurrentSpan(spanAttributes(provider, key, kind))
      const epoch = memo.epoch
      const tokens = yield* lock.withLock(
        key,
        Effect.gen(function* () {
          // Whoever held the lock before us has most likely renewed already: read again.
          const current = yield* store.get(key)
          const now = yield* Clock.currentTimeMillis
          if (Option.isSome(current) && usable(key, kind, current.value, now, rejected)) {
            yield* Effect.annotateCurrentSpan("oauth.renewal", "reused")
            return current.value
          }
          const next = yield* obtain(provider, key, kind, scopes, current).pipe(
            Effect.provideContext(services),
          )
          if (next.persist) yield* persist(key, next.tokens)
          yield* Effect.annotateCurrentSpan("oauth.renewal", next.persist ? "renewed" : "reused")
          return next.tokens
        }),
        lockOptions,
      )
      memo.remember(key, { tokens, refreshAt: renewAt(key, kind, tokens) }, epoch)
      return tokens
    }, withOutcome)

    /**
     * Joins the renewal of `key` in progress, or starts one. The renewal is forked into the
     * manager's scope and completes a Deferred the callers wait on: interrupting a caller only
     * stops its wait. Registering and forking happen in one uninterruptible step, so an entry
     * never exists without a fiber that will complete it.
     */
    const singleFlight = (key: string, start: () => Effect.Effect<TokenSet, TokenError>) =>
      Effect.uninterruptible(
        Effect.suspend(() => {
          const running = inflight.get(key)
          if (running !== undefined) {
            return Effect.as(Effect.annotateCurrentSpan("oauth.singleflight", "joined"), running)
          }
          const deferred = Deferred.makeUnsafe<TokenSet, TokenError>()
          inflight.set(key, deferred)
          return Effect.forkIn(start(), scope).pipe(
            Effect.map((fiber) => {
              // Also fires when the scope is already closed and the fiber never starts.
              fiber.addObserver((exit) => {
                if (inflight.get(key) === deferred) inflight.delete(key)
                Deferred.doneUnsafe(deferred, exit)
              })
              return deferred
            }),
          )
        }),
      ).pipe(Effect.flatMap(Deferred.await))

    const getTokenSet = Effect.fn("OAuth.getAccessToken")(function* (
      provider: Provider,
      options: GetTokenOptions = {},
    ): Effect.fn.Return<TokenSet, TokenError> {
      const key = yield* sessionKey(provider, options)
      const kind: SessionKind = options.session === undefined ? "client" : "user"
      yield* Effect.annotateCurrentSpan(spanAttributes(provider, key, kind))
      if (kind === "client" && provider.grant !== "client_credentials") {
        return yield* new ConfigError({
          reason: `provider ${provider.id} uses the authorization code grant: pass a session to getAccessToken`,
        })
      }
      const now = yield* Clock.currentTimeMillis
      const forced = options.forceRefresh === true || options.rejected !== undefined
      if (!forced) {
        const hit = memo.peek(key, now)
        if (hit !== undefined) {
          yield* Effect.annotateCurrentSpan("oauth.cache", "hit")
          return hit.tokens
        }
      }
      const rejectedByServer = options.rejected
      if (rejectedByServer !== undefined)
        memo.invalidateIf(key, (t) => sameToken(t.accessToken, rejectedByServer))
      const epoch = memo.epoch
      const current = yield* store.get(key)
      // forceRefresh renews the token we see now; one renewed meanwhile by someone else is as good.
      const rejected =
        options.rejected ??
        (options.forceRefresh === true && Option.isSome(current) ? current.value.accessToken : undefined)
      if (Option.isSome(current) && usable(key, kind, current.value, now, rejected)) {
        memo.remember(key, { tokens: current.value, refreshAt: renewAt(key, kind, current.value) }, epoch)
        yield* Effect.annotateCurrentSpan("oauth.cache", "hit")
        return current.value
      }
      yield* Effect.annotateCurrentSpan("oauth.cache", Option.isNone(current) ? "miss" : "refresh")
      return yield* singleFlight(key, () => renew(provider, key, kind, options.scopes, rejected))
    }, withOutcome)

    const guarded = (
      provider: Provider,
      session: string,
      write: (key: string) => Effect.Effect<void, StoreError>,
    ) =>
      Effect.flatMap(sessionKey(provider, { session }), (key) =>
        Effect.suspend(() => {
          memo.invalidate(key)
          // Under the lock: a renewal in progress finishes first, so it cannot overwrite a new login
          // or bring back a session that was just cleared.
          return lock.withLock(key, write(key), lockOptions)
        }),
      )

    return TokenManager.of({
      getTokenSet,
      getAccessToken: (provider, o) => Effect.map(getTokenSet(provider, o), (t) => t.accessToken),
      peek: (key, now = Date.now()) => memo.peek(key, now)?.tokens.accessToken,
      setSession: (provider, session, tokens) => guarded(provider, session, (key) => store.set(key, tokens)),
      clearSession: (provider, session) => guarded(provider, session, (key) => store.delete(key)),
      policy,
    })
  })

/** Span attributes that identify a session without naming it. */
const spanAttributes = (provider: Provider, key: string, kind: SessionKind): Record<string, string> => ({
  "oauth.provider": provider.id,
  "oauth.grant": kind === "client" ? "client_credentials" : "refresh_token",
  "oauth.session.kind": kind,
  "oauth.session.fingerprint": SessionKey.fingerprint(key),
})
