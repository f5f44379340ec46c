/**
 * A valid access token on demand, per session, for any provider. The lifecycle, by construction:
 *
 * - **One cache and one single-flight per session**: a fresh token comes from this instance's memo
 *   of the TokenStore, else from the store; nothing is requested while a token is fresh (see
 *   RefreshPolicy for "fresh"). Any number of concurrent callers of one session share one renewal,
 *   a fiber in the manager's `FiberMap`: it runs detached in the manager's scope, so a caller that
 *   is interrupted (a timeout, a closed request) only stops waiting and never fails the others. A
 *   failed renewal is not cached: every waiting caller gets its typed error, the next call tries again.
 * - **Renewed before expiry**: client-credentials sessions request a new token, user sessions
 *   spend their refresh token.
 * - **Bounded**: at most `maxConcurrentRenewals` renewals (default 64) run at once per manager; the
 *   others queue for a slot before their request is sent, so the queue never eats into the
 *   transport's timeout (an expiry storm of 10,000 sessions drains instead of timing out).
 * - **One renewal across instances**: the renewal holds the `RefreshLock` of the session, then
 *   reads the store again and takes the token another instance just stored instead of renewing
 *   twice (a rotated refresh token spent twice kills the session).
 * - **Persisted before handed out**: the new token set is written to the store (awaited) before any
 *   caller sees it; a refresh answer without a refresh token keeps the old one.
 * - **No refresh loops**: a refresh token the server refuses (`invalid_grant`, a bare 400: the rule
 *   is in RefreshRefusal) deletes the session and fails with `LoginRequired` ("refresh-token-rejected").
 * - **No dead sessions**: a session whose token expired and that has no refresh token is deleted
 *   from the store when met (`LoginRequired` "no-refresh-token").
 * - **Told**: `onTokens` runs after every change of a session's tokens (login, set, refresh, clear,
 *   rejected, expired), inside the session's lock, before the tokens are handed out.
 * - **Closed is closed**: once the manager's scope is closed, every call (the cached path too)
 *   fails with `ConfigError` ("disposed") and renewals in progress end the same way.
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
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as FiberMap from "effect/FiberMap"
import * as Hash from "effect/Hash"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Queue from "effect/Queue"
import { clientCredentials } from "./ClientCredentials.js"
import {
  ConfigError,
  type InvalidResponse,
  LoginRequired,
  type OAuthServerError,
  type StoreError,
  type TransportError,
} from "./Errors.js"
import type { Provider } from "./Provider.js"
import { refresh } from "./Refresh.js"
import { RefreshLock } from "./RefreshLock.js"
import * as RefreshRefusal from "./RefreshRefusal.js"
import * as RefreshPolicy from "./RefreshPolicy.js"
import * as SessionKey from "./SessionKey.js"
import type { TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"
import { HttpTransport } from "./Transport.js"
import { type MemoSlot, TokenMemo } from "./internal/tokenMemo.js"
import { withOutcome } from "./internal/spans.js"

/** Why a session's tokens changed. */
export type TokenChangeReason =
  /** Tokens from a completed authorization (`handleCallback`). */
  | "login"
  /** Tokens given to `setSession` (e.g. restored from elsewhere). */
  | "set"
  /** A renewal stored new tokens (a refresh, rotated or not, or a new client-credentials token). */
  | "refresh"
  /** `clearSession` forgot the session. */
  | "clear"
  /** The server refused the session's refresh token (see RefreshRefusal): the session was deleted. */
  | "rejected"
  /** The session's access token expired and it has no refresh token: the session was deleted. */
  | "expired"

/** What `onTokens` is told after a session's tokens changed. Its secrets stay `Redacted`. */
export interface TokenChange {
  /** The session's store key (`SessionKey`). */
  readonly key: string
  /** The provider's id. */
  readonly provider: string
  /** The user's session name; undefined for the default session and client-credentials tokens. */
  readonly session: string | undefined
  /** The session's tokens now; undefined when the session is gone (`clear`, `rejected`). */
  readonly tokens: TokenSet | undefined
  readonly reason: TokenChangeReason
}

/** Tuning of a TokenManager; every field has a default. */
export interface TokenManagerOptions extends RefreshPolicy.RefreshPolicyOptions {
  /** How long a renewal may hold the session's RefreshLock if its holder dies (the lock's default when omitted). */
  readonly lockTtlMs?: number | undefined
  /** How long a renewal waits for the session's RefreshLock (the lock's default when omitted). */
  readonly lockWaitMs?: number | undefined
  /** Sessions whose fresh token this instance keeps in memory (default 10 000; 0 reads the store every call). */
  readonly maxCachedSessions?: number | undefined
  /**
   * Renewals that may run at once in this manager (default 64, at least 1). The others wait for a
   * slot before anything is sent; the wait does not count against the transport's timeout.
   */
  readonly maxConcurrentRenewals?: number | undefined
  /**
   * Runs after every change of a session's tokens (login, set, refresh, clear, rejected, expired), while
   * the session's lock is held and before the new tokens are handed out. Its failures are logged
   * (without the event) and never fail the change.
   */
  readonly onTokens?: ((change: TokenChange) => Effect.Effect<void, unknown>) | undefined
}

/** Which session a call is about (the Promise client's `getAccessToken` options too). */
export interface AccessTokenOptions {
  /**
   * A user's session key (from `handleCallback(url, { session })`). Omitted: the client's default
   * session on an authorization-code provider, the client-credentials token on a client-credentials one.
   */
  readonly session?: string | undefined
  /** Scopes of a client-credentials token (default: the provider's); ignored for user sessions. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Refresh even when the cached token is still fresh. */
  readonly forceRefresh?: boolean | undefined
}

/** Options of `getTokenSet` / `getAccessToken`. */
export interface GetTokenOptions extends AccessTokenOptions {
  /**
   * An access token a resource server just refused (HTTP 401): renew, unless the stored token is
   * already a different one (another caller or instance renewed meanwhile).
   */
  readonly rejected?: Redacted.Redacted<string> | undefined
}

/** Where `handleCallback` puts the tokens of a completed authorization. */
export interface CallbackOptions {
  /**
   * Store them as this user's session. Omitted: as the client's default session (on an
   * authorization-code provider), for `getAccessToken()` / `fetch()` without a session.
   */
  readonly session?: string | undefined
  /**
   * `false`: store the tokens nowhere, only return them (the caller keeps them, e.g. a Passport
   * `verify` that calls `setSession(user.id, tokens)`). Default `true`. Without it, a login that
   * names no session lands in the default session, which every caller of the client shares.
   */
  readonly store?: boolean | undefined
}

/** Everything `getAccessToken` can fail with. */
export type TokenError =
  ConfigError | TransportError | InvalidResponse | OAuthServerError | StoreError | LoginRequired

/** What a TokenManager needs: it captures them when it is built. */
export type TokenServices = HttpTransport | TokenStore | RefreshLock

/** The error of every call to a manager (or Promise client) after it was closed. */
export const disposedError = (): ConfigError =>
  new ConfigError({ reason: "disposed: this client (its TokenManager) was disposed; create a new one" })

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
     * `Date.now()`), without any I/O; undefined means "ask `getAccessToken`" (always, once closed).
     */
    readonly peek: (key: string, now?: number) => Redacted.Redacted<string> | undefined
    /**
     * Stores tokens (e.g. from a login) as a session (`undefined`: the client's default session on
     * an authorization-code provider); waits for a renewal of it in progress.
     */
    readonly setSession: (
      provider: Provider,
      session: string | undefined,
      tokens: TokenSet,
      reason?: "login" | "set",
    ) => Effect.Effect<void, StoreError | ConfigError>
    /** Forgets a session (does not revoke); waits for a renewal of it in progress. */
    readonly clearSession: (
      provider: Provider,
      session: string | undefined,
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
    validate(options)
    return Layer.effect(TokenManager, make(options))
  }

  /** Builds a TokenManager in the current scope (see `make`). */
  static readonly make = (options: TokenManagerOptions = {}) => make(options)
}

type SessionKind = "client" | "user"

interface SessionRef {
  readonly key: string
  readonly kind: SessionKind
}

const DEFAULT_MAX_CONCURRENT_RENEWALS = 64

/** Checks the options; throws ConfigError for values out of range. */
const validate = (
  options: TokenManagerOptions,
): { policy: RefreshPolicy.RefreshPolicy; renewals: number } => {
  const policy = RefreshPolicy.make(options)
  const renewals = options.maxConcurrentRenewals ?? DEFAULT_MAX_CONCURRENT_RENEWALS
  if (!Number.isInteger(renewals) || renewals < 1) {
    throw new ConfigError({ reason: "maxConcurrentRenewals must be an integer of at least 1" })
  }
  return { policy, renewals }
}

/** The session `options` names, and whether it is the client's own or a user's. */
const sessionOf = (provider: Provider, options: AccessTokenOptions): Effect.Effect<SessionRef, ConfigError> =>
  Effect.suspend(() => {
    try {
      const kind: SessionKind =
        options.session === undefined && provider.grant === "client_credentials" ? "client" : "user"
      return Effect.succeed({ key: SessionKey.of(provider, options), kind })
    } catch (error) {
      return Effect.fail(error as ConfigError)
    }
  })

const sameToken = (a: Redacted.Redacted<string>, b: Redacted.Redacted<string> | undefined): boolean =>
  b !== undefined && (a === b || Redacted.value(a) === Redacted.value(b))

/** A refresh answer may leave out what did not change (RFC 6749 §5.1 `scope`; OpenID `id_token`). */
const carryOver = (previous: TokenSet, next: TokenSet): TokenSet => ({
  ...next,
  scopes: next.scopes.length > 0 ? next.scopes : previous.scopes,
  idToken: next.idToken ?? previous.idToken,
})

const PERSIST_RETRY_DELAYS_MS = [25, 100]

/**
 * effect's FiberMap, Queue and Fiber modules, loaded when a TokenManager is built (on a client's
 * first call), not at import: they are about 5 ms of module loading that `import("@grantflow/core")`
 * would otherwise pay (bench `import`).
 */
const renewalModules: Effect.Effect<{
  readonly FiberM: typeof Fiber
  readonly FiberMapM: typeof FiberMap
  readonly QueueM: typeof Queue
}> = Effect.promise(async () => {
  const [FiberM, FiberMapM, QueueM] = await Promise.all([
    import("effect/Fiber"),
    import("effect/FiberMap"),
    import("effect/Queue"),
  ])
  return { FiberM, FiberMapM, QueueM }
})

/**
 * Builds a TokenManager whose renewals run in fibers of the current scope: closing it (disposing
 * the layer or the Promise client) interrupts renewals in progress, and their callers and every
 * later call fail with ConfigError ("disposed").
 */
export const make = (
  options: TokenManagerOptions = {},
): Effect.Effect<TokenManager["Service"], never, TokenServices | Scope.Scope> =>
  Effect.gen(function* () {
    const { policy, renewals: maxRenewals } = validate(options)
    const store = yield* TokenStore
    const lock = yield* RefreshLock
    // Only these three: the whole build-time context would also carry, e.g., the span the layer
    // was built in, and renewals would be parented to it.
    const services = Context.make(HttpTransport, yield* HttpTransport).pipe(
      Context.add(TokenStore, store),
      Context.add(RefreshLock, lock),
    )
    const memo = new TokenMemo(options.maxCachedSessions ?? 10_000)
    const { FiberM, FiberMapM, QueueM } = yield* renewalModules
    // The single-flight: at most one renewal fiber per session key, owned by this scope.
    const renewals = yield* FiberMapM.make<string, TokenSet, TokenError>()
    // Renewal slots: a bounded queue whose items are the slots in use. Not a Semaphore: effect
    // 4.1's scans every waiter on each release (O(waiters) per release), which made a storm of
    // 10,000 renewals quadratic; a queue resumes the next waiting offer in O(1), in arrival order.
    const slots = yield* QueueM.bounded<void>(maxRenewals)
    let closed = false
    // Added after the FiberMap, so it runs before the map interrupts its fibers: their waiters
    // then see `closed` and fail typed.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true
        memo.clear()
      }),
    )
    // One draw per instance: instances spread their refresh points, sessions within one are spread by key.
    const seed = Math.random()
    const lockOptions = { ttlMs: options.lockTtlMs, waitMs: options.lockWaitMs }
    const onTokens = options.onTokens

    const notify = (
      provider: Provider,
      key: string,
      session: string | undefined,
      tokens: TokenSet | undefined,
      reason: TokenChangeReason,
    ) =>
      onTokens === undefined
        ? Effect.void
        : Effect.suspend(() => onTokens({ key, provider: provider.id, session, tokens, reason })).pipe(
            // The hook's error may hold anything it was given: log only what happened, never the event.
            Effect.catchCause(() =>
              Effect.logWarning("grantflow: the onTokens hook failed").pipe(
                Effect.annotateLogs({
                  "oauth.change": reason,
                  "oauth.session.fingerprint": SessionKey.fingerprint(key),
                }),
              ),
            ),
          )

    const renewAt = (key: string, kind: SessionKind, tokens: TokenSet): number => {
      if (tokens.expiresAt === undefined) return Number.POSITIVE_INFINITY
      // Nothing to renew with: the token serves until it really expires.
      if (kind === "user" && tokens.refreshToken === undefined) return tokens.expiresAt.getTime()
      return policy.refreshAt(tokens, (seed + (Hash.string(key) >>> 0) / 2 ** 32) % 1)
    }

    const usable = (ref: SessionRef, tokens: TokenSet, now: number, rejected?: Redacted.Redacted<string>) =>
      !sameToken(tokens.accessToken, rejected) && now < renewAt(ref.key, ref.kind, tokens)

    const remember = (ref: SessionRef, slot: MemoSlot, tokens: TokenSet) =>
      memo.remember(ref.key, slot, tokens, renewAt(ref.key, ref.kind, tokens))

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

    /** A refused refresh token: the session is over, unless another holder rotated it meanwhile (its lock had expired). */
    const refreshTokenRejected = Effect.fnUntraced(function* (
      provider: Provider,
      key: string,
      session: string | undefined,
      spent: Redacted.Redacted<string>,
    ) {
      const latest = yield* store.get(key)
      if (
        Option.isSome(latest) &&
        latest.value.refreshToken !== undefined &&
        !sameToken(latest.value.refreshToken, spent)
      ) {
        return { tokens: latest.value, changed: false }
      }
      yield* store.delete(key)
      memo.invalidate(key)
      yield* notify(provider, key, session, undefined, "rejected")
      return yield* new LoginRequired({ reason: "refresh-token-rejected" })
    })

    const obtain = Effect.fnUntraced(function* (
      provider: Provider,
      ref: SessionRef,
      session: string | undefined,
      scopes: ReadonlyArray<string> | undefined,
      current: Option.Option<TokenSet>,
    ) {
      if (ref.kind === "client") {
        const tokens = yield* clientCredentials(provider, { scopes: scopes ?? provider.defaultScopes })
        return { tokens, changed: true }
      }
      if (Option.isNone(current)) return yield* new LoginRequired({ reason: "no-session" })
      const refreshToken = current.value.refreshToken
      if (refreshToken === undefined) {
        const expiresAt = current.value.expiresAt
        if (expiresAt !== undefined && expiresAt.getTime() <= (yield* Clock.currentTimeMillis)) {
          // It can never produce a token again: keep no dead sessions in the store.
          yield* store.delete(ref.key)
          memo.invalidate(ref.key)
          yield* notify(provider, ref.key, session, undefined, "expired")
        }
        return yield* new LoginRequired({ reason: "no-refresh-token" })
      }
      return yield* refresh(provider, refreshToken).pipe(
        Effect.map((tokens) => ({ tokens: carryOver(current.value, tokens), changed: true })),
        Effect.catchIf(
          (e) => RefreshRefusal.endsSession(e, provider),
          () => refreshTokenRejected(provider, ref.key, session, refreshToken),
        ),
      )
    })

    const renew = Effect.fn("OAuth.renewToken")(function* (
      provider: Provider,
      ref: SessionRef,
      session: string | undefined,
      scopes: ReadonlyArray<string> | undefined,
      rejected: Redacted.Redacted<string> | undefined,
    ): Effect.fn.Return<TokenSet, TokenError> {
      yield* Effect.annotateCurrentSpan(spanAttributes(provider, ref))
      // Claimed before the store is read: a logout meanwhile voids this renewal's memo write.
      const slot = memo.claim(ref.key)
      const tokens = yield* lock.withLock(
        ref.key,
        Effect.gen(function* () {
          // Whoever held the lock before us has most likely renewed already: read again.
          const current = yield* store.get(ref.key)
          const now = yield* Clock.currentTimeMillis
          if (Option.isSome(current) && usable(ref, current.value, now, rejected)) {
            yield* Effect.annotateCurrentSpan("oauth.renewal", "reused")
            return current.value
          }
          const next = yield* obtain(provider, ref, session, scopes, current).pipe(
            Effect.provideContext(services),
          )
          if (next.changed) {
            yield* persist(ref.key, next.tokens)
            yield* notify(provider, ref.key, session, next.tokens, "refresh")
          }
          yield* Effect.annotateCurrentSpan("oauth.renewal", next.changed ? "renewed" : "reused")
          return next.tokens
        }),
        lockOptions,
      )
      remember(ref, slot, tokens)
      return tokens
    }, withOutcome)

    /**
     * Joins the renewal of `key` in progress, or starts one in the FiberMap. The renewal fiber
     * belongs to the map (the manager's scope), not to the caller: interrupting a caller only
     * stops its wait. Renewals queue for one of `maxConcurrentRenewals` slots inside their fiber,
     * before any lock or request, so the transport's timeout starts when the request is sent.
     */
    const singleFlight = (key: string, renewal: Effect.Effect<TokenSet, TokenError>) => {
      // The slot is taken whole (uninterruptibly) or not at all, and always given back.
      const bounded = Effect.acquireUseRelease(
        QueueM.offer(slots, undefined),
        () => renewal,
        () => QueueM.take(slots),
      )
      const attempt: Effect.Effect<TokenSet, TokenError> = Effect.gen(function* () {
        if (closed) return yield* disposedError()
        const running = yield* FiberMapM.get(renewals, key)
        if (Option.isSome(running)) yield* Effect.annotateCurrentSpan("oauth.singleflight", "joined")
        // `onlyIfMissing` hands back an already-interrupted fiber when another caller registered a
        // renewal between the lookup and here: then we go round and join that one.
        const fiber = Option.isSome(running)
          ? running.value
          : yield* FiberMapM.run(renewals, key, bounded, { onlyIfMissing: true })
        const exit = yield* FiberM.await(fiber)
        if (Exit.isSuccess(exit) || !Cause.hasInterruptsOnly(exit.cause)) return yield* exit
        if (closed) return yield* disposedError()
        return yield* attempt
      })
      return attempt
    }

    const getTokenSet = Effect.fn("OAuth.getAccessToken")(function* (
      provider: Provider,
      options: GetTokenOptions = {},
    ): Effect.fn.Return<TokenSet, TokenError> {
      if (closed) return yield* disposedError()
      const ref = yield* sessionOf(provider, options)
      yield* Effect.annotateCurrentSpan(spanAttributes(provider, ref))
      const now = yield* Clock.currentTimeMillis
      const forced = options.forceRefresh === true || options.rejected !== undefined
      if (!forced) {
        const hit = memo.peek(ref.key, now)
        if (hit !== undefined) {
          yield* Effect.annotateCurrentSpan("oauth.cache", "hit")
          return hit
        }
      }
      const rejectedByServer = options.rejected
      if (rejectedByServer !== undefined)
        memo.invalidateIf(ref.key, (t) => sameToken(t.accessToken, rejectedByServer))
      const slot = memo.claim(ref.key)
      const current = yield* store.get(ref.key)
      // The time after the read: a slow store (Redis under load) must not hand out a token that
      // was fresh when the call started and expired while it waited.
      const readAt = yield* Clock.currentTimeMillis
      // forceRefresh renews the token we see now; one renewed meanwhile by someone else is as good.
      const rejected =
        options.rejected ??
        (options.forceRefresh === true && Option.isSome(current) ? current.value.accessToken : undefined)
      if (Option.isSome(current) && usable(ref, current.value, readAt, rejected)) {
        remember(ref, slot, current.value)
        yield* Effect.annotateCurrentSpan("oauth.cache", "hit")
        return current.value
      }
      yield* Effect.annotateCurrentSpan("oauth.cache", Option.isNone(current) ? "miss" : "refresh")
      return yield* singleFlight(ref.key, renew(provider, ref, options.session, options.scopes, rejected))
    }, withOutcome)

    const guarded = (
      provider: Provider,
      session: string | undefined,
      write: (key: string) => Effect.Effect<void, StoreError>,
      change: (key: string) => Effect.Effect<void>,
    ): Effect.Effect<void, StoreError | ConfigError> =>
      Effect.suspend(() => {
        if (closed) return Effect.fail(disposedError())
        if (session === undefined && provider.grant === "client_credentials") {
          return Effect.fail(
            new ConfigError({
              reason: `provider ${provider.id} uses client credentials and has no default user session: pass a session`,
            }),
          )
        }
        return Effect.flatMap(sessionOf(provider, { session }), ({ key }) =>
          Effect.suspend(() => {
            memo.invalidate(key)
            // Under the lock: a renewal in progress finishes first, so it cannot overwrite a new
            // login or bring back a session that was just cleared.
            return lock.withLock(key, Effect.andThen(write(key), change(key)), lockOptions)
          }),
        )
      })

    return TokenManager.of({
      getTokenSet,
      getAccessToken: (provider, o) => Effect.map(getTokenSet(provider, o), (t) => t.accessToken),
      peek: (key, now = Date.now()) => (closed ? undefined : memo.peek(key, now)?.accessToken),
      setSession: (provider, session, tokens, reason = "set") =>
        guarded(
          provider,
          session,
          (key) => store.set(key, tokens),
          (key) => notify(provider, key, session, tokens, reason),
        ),
      clearSession: (provider, session) =>
        guarded(
          provider,
          session,
          (key) => store.delete(key),
          (key) => notify(provider, key, session, undefined, "clear"),
        ),
      policy,
    })
  })

/** Span attributes that identify a session without naming it. */
const spanAttributes = (provider: Provider, ref: SessionRef): Record<string, string> => ({
  "oauth.provider": provider.id,
  "oauth.grant": ref.kind === "client" ? "client_credentials" : "refresh_token",
  "oauth.session.kind": ref.kind,
  "oauth.session.fingerprint": SessionKey.fingerprint(ref.key),
})
