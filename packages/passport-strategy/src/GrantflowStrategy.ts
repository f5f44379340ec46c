/**
 * A Passport strategy for any grantflow provider: the authorize leg redirects the browser to the
 * provider with state and PKCE, the callback leg checks the state, exchanges the code through
 * `@grantflow/core` and hands the `TokenSet` to your verify function.
 *
 * @example
 * ```ts
 * import passport from "passport"
 * import { Providers } from "@grantflow/core"
 * import { GrantflowStrategy } from "@grantflow/passport-strategy"
 *
 * passport.use(new GrantflowStrategy(
 *   { provider: Providers.cryptohopper({ clientId, clientSecret, redirectUri }), scopes: ["read", "trade"] },
 *   async (tokens) => ({ id: "me", scopes: tokens.scopes }),
 * ))
 * app.get("/auth/cryptohopper", passport.authenticate("cryptohopper"))
 * app.get("/auth/cryptohopper/callback", passport.authenticate("cryptohopper", { failureRedirect: "/" }), (req, res) => res.redirect("/"))
 * ```
 */
import {
  createOAuthClient,
  decodePending,
  encodePending,
  PendingSeal,
  StateMismatch,
  type EncryptionKey,
  type OAuthClient,
  type OAuthClientOptions,
  type PendingAuthorization,
  type Provider,
  type StateStore,
  type TokenSet,
} from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as PassportStrategyModule from "passport-strategy"
import { consume, remember } from "./internal/SessionState.js"

/**
 * What the strategy reads from a request: Express's `Request` (and so Nest's) fits, as does a
 * plain `http.IncomingMessage` with a session attached.
 */
export interface StrategyRequest {
  readonly url?: string | undefined
  /** Express keeps the mount path here; preferred over `url` when present. */
  readonly originalUrl?: string | undefined
  /** Express's protocol (honours `trust proxy`); otherwise taken from the socket. */
  readonly protocol?: string | undefined
  readonly headers: { readonly [name: string]: string | ReadonlyArray<string> | undefined }
  /** Without Express, a TLS socket (`encrypted: true`) means https. */
  readonly socket?: object | undefined
  /** A server-side session (express-session); when present the pending login is kept in it. */
  session?: object | null | undefined
}

/** Passport's verify callback: an error, or the user (`false` to refuse), and optional info for `req.authInfo`. */
export type VerifyCallback = (err?: unknown, user?: unknown, info?: unknown) => void

/** What a verify function may return instead of calling `done`: the user, `false` to refuse, or a promise of either. */
export type VerifyResult = unknown

/** Turns the tokens of a finished login into your user: call `done(null, user)`, or return (a promise of) the user. */
export type VerifyFunction = (tokens: TokenSet, done: VerifyCallback) => VerifyResult

/** As {@link VerifyFunction}, with the request first (`passReqToCallback: true`). */
export type VerifyFunctionWithRequest = {
  // A method signature keeps the request parameter bivariant, so `(req: express.Request, ...)` is accepted.
  bivariance(req: StrategyRequest, tokens: TokenSet, done: VerifyCallback): VerifyResult
}["bivariance"]

/** Options shared by both verify styles. */
export interface GrantflowStrategyBaseOptions {
  /** The provider to log in with; the strategy builds its own client for it. Give this or `client`. */
  readonly provider?: Provider | undefined
  /**
   * An existing client to use instead of building one. With a session the pending login lives in
   * the session as with `provider`; without one, in that client's own StateStore.
   */
  readonly client?: OAuthClient | undefined
  /** Scopes to request; defaults to the provider's default scopes. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Where the provider sends the browser back; relative URLs are resolved against the request. Defaults to the provider's redirect URI. */
  readonly callbackURL?: string | undefined
  /**
   * Where pending logins wait when a request has no session: in memory by default; for several
   * instances pass a shared one such as `@grantflow/redis`'s `redisStateStore(client)`. Requests
   * with a session keep their pending logins in the session instead.
   */
  readonly stateStore?: StateStore["Service"] | undefined
  /** Options for the client the strategy builds from `provider` (token store, timeouts, `stateTtlMs`, ...). */
  readonly clientOptions?: Omit<OAuthClientOptions, "stateStore"> | undefined
  /** The strategy name for `passport.authenticate(name)`; defaults to the provider id. */
  readonly name?: string | undefined
  /** Session property the pending logins live under; defaults to `grantflow:<name>`. */
  readonly sessionKey?: string | undefined
  /**
   * Seal each pending login (its PKCE verifier included) with AES-256-GCM before it goes into the
   * session (core's `PendingSeal`), so a session kept in a cookie (cookie-session) or a shared
   * session store holds no verifier in clear. The first key seals, every listed key opens.
   */
  readonly encryptionKeys?: ReadonlyArray<EncryptionKey> | undefined
}

/** Options when verify receives `(tokens, done)`. */
export interface GrantflowStrategyOptions extends GrantflowStrategyBaseOptions {
  readonly passReqToCallback?: false | undefined
}

/** Options when verify receives `(req, tokens, done)`. */
export interface GrantflowStrategyOptionsWithRequest extends GrantflowStrategyBaseOptions {
  readonly passReqToCallback: true
}

/** Per-call options of `passport.authenticate(name, options)` this strategy understands. */
export interface GrantflowAuthenticateOptions {
  /** Overrides the strategy's scopes for this login (an array, or a string separated by spaces or commas). */
  readonly scope?: string | ReadonlyArray<string> | undefined
  /** Overrides the strategy's callbackURL for this login. */
  readonly callbackURL?: string | undefined
}

/** The actions Passport attaches to a strategy for the duration of one `authenticate` call. */
export interface PassportStrategyActions {
  /** Passport's name for this strategy. */
  name?: string | undefined
  success(user: unknown, info?: unknown): void
  fail(challenge?: unknown, status?: number): void
  redirect(url: string, status?: number): void
  pass(): void
  error(err: unknown): void
}

// passport-strategy is CommonJS (`module.exports = Strategy` plus `.Strategy`); typing it through our
// own interface keeps its @types out of this package's public declarations.
const PassportStrategyBase = PassportStrategyModule.Strategy as unknown as new () => PassportStrategyActions

const isCallback = (query: URLSearchParams): boolean =>
  query.has("code") || query.has("error") || query.has("state")

const firstHeader = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : value?.[0]

const splitScopes = (scope: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  typeof scope === "string" ? scope.split(/[\s,]+/).filter((s) => s.length > 0) : scope

/** The failures that mean "this login did not work" rather than "something is broken". */
const failureMessage = (err: unknown): string | undefined => {
  if (typeof err !== "object" || err === null || !("_tag" in err)) return undefined
  const e = err as { _tag: unknown; message: string; description?: unknown; error?: unknown }
  switch (e._tag) {
    case "AuthorizationError":
      return typeof e.description === "string" && e.description.length > 0 ? e.description : e.message
    case "StateMismatch":
      return e.message
    case "OAuthServerError":
      // The code was already used, expired, or issued to someone else: the user should simply log in again.
      return e.error === "invalid_grant" ? e.message : undefined
    default:
      return undefined
  }
}

/**
 * A Passport strategy over `@grantflow/core`. Construct it with options and a verify function;
 * that order is what `@nestjs/passport`'s `PassportStrategy(GrantflowStrategy, name)` relies on.
 *
 * On a request without `code`, `error` or `state` it redirects to the provider; on the callback it
 * calls `fail({ message }, 401)` for a denied consent, a provider error, a state that is unknown,
 * reused, expired or from another session, and an `invalid_grant`; `error(err)` for transport,
 * server and response errors; `success(user, info)` once verify accepts the tokens.
 */
export class GrantflowStrategy extends PassportStrategyBase {
  /** Passport's name for this strategy (the provider id unless `name` was given). */
  override name: string
  /** The client doing the OAuth work; use it for `fetch`, `refresh` and `revoke` with the tokens you kept. */
  readonly client: OAuthClient

  readonly #verify: VerifyFunction | VerifyFunctionWithRequest
  readonly #passReqToCallback: boolean
  readonly #scopes: ReadonlyArray<string> | undefined
  readonly #callbackURL: string | undefined
  readonly #sessionKey: string
  readonly #seal: PendingSeal.PendingSeal | undefined

  constructor(options: GrantflowStrategyOptions, verify: VerifyFunction)
  constructor(options: GrantflowStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest)
  constructor(
    options: GrantflowStrategyOptions | GrantflowStrategyOptionsWithRequest,
    verify: VerifyFunction | VerifyFunctionWithRequest,
  ) {
    super()
    if (typeof options !== "object" || options === null) {
      throw new TypeError("GrantflowStrategy needs an options object ({ provider, scopes, ... })")
    }
    if (typeof verify !== "function") throw new TypeError("GrantflowStrategy needs a verify function")
    if (
      options.client !== undefined &&
      (options.stateStore !== undefined || options.clientOptions !== undefined)
    ) {
      throw new TypeError(
        "GrantflowStrategy: give stateStore and clientOptions to createOAuthClient when you pass an existing client",
      )
    }
    if (options.client !== undefined) {
      this.client = options.client
    } else if (options.provider !== undefined) {
      // Only requests without a session use the client's StateStore (core's memory one by default).
      this.client = createOAuthClient(options.provider, {
        ...options.clientOptions,
        stateStore: options.stateStore,
      })
    } else {
      throw new TypeError("GrantflowStrategy needs a provider or a client")
    }
    this.name = options.name ?? this.client.provider.id
    this.#verify = verify
    this.#passReqToCallback = options.passReqToCallback === true
    this.#scopes = options.scopes
    this.#callbackURL = options.callbackURL
    this.#sessionKey = options.sessionKey ?? `grantflow:${this.name}`
    // Throws ConfigError at once for a malformed key.
    this.#seal =
      options.encryptionKeys === undefined ? undefined : PendingSeal.make({ keys: options.encryptionKeys })
  }

  /** Called by Passport for every `passport.authenticate(name)`; starts or finishes a login. */
  authenticate(req: StrategyRequest, options?: GrantflowAuthenticateOptions): void {
    // Passport calls this on `Object.create(strategy)` with success/fail/... attached for this
    // request only: those actions come from `this`, the private state from the strategy itself.
    const self = GrantflowStrategy.#owner(this)
    const query = new URL(req.originalUrl ?? req.url ?? "/", "http://request.invalid").searchParams
    const leg = isCallback(query)
      ? self.#callback(req, query, this)
      : self.#authorize(req, options ?? {}, this)
    leg.catch((err: unknown) => this.error(err))
  }

  static #owner(derived: object): GrantflowStrategy {
    for (let o: object | null = derived; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      if (#verify in o) return o as GrantflowStrategy
    }
    throw new TypeError("GrantflowStrategy#authenticate called on something that is not a GrantflowStrategy")
  }

  async #authorize(
    req: StrategyRequest,
    options: GrantflowAuthenticateOptions,
    actions: PassportStrategyActions,
  ): Promise<void> {
    const scopes = options.scope !== undefined ? splitScopes(options.scope) : this.#scopes
    const callbackURL = options.callbackURL ?? this.#callbackURL
    const redirectUri = callbackURL === undefined ? undefined : new URL(callbackURL, origin(req)).href
    const session = req.session ?? undefined
    if (session === undefined) {
      const request = await this.client.authorizationUrl({ scopes, redirectUri })
      return actions.redirect(request.url)
    }
    // Core's pure step: the pending login goes into this browser's session and nowhere else, so
    // logins other browsers start can neither see nor evict it.
    const { url, pending } = await this.client.createAuthorizationRequest({ scopes, redirectUri })
    remember(session, this.#sessionKey, {
      state: pending.state,
      expiresAt: pending.expiresAt,
      pending:
        this.#seal === undefined ? encodePending(pending) : await Effect.runPromise(this.#seal.seal(pending)),
    })
    actions.redirect(url)
  }

  async #callback(
    req: StrategyRequest,
    query: URLSearchParams,
    actions: PassportStrategyActions,
  ): Promise<void> {
    const state = query.get("state")
    const session = req.session ?? undefined
    const rejectState = (reason: "unknown" | "expired") =>
      actions.fail({ message: new StateMismatch({ reason }).message }, 401)
    let pending: PendingAuthorization | undefined
    if (session !== undefined && state !== null && state.length > 0) {
      // Taken out of the session first: a replay of this callback finds nothing.
      const entry = consume(session, this.#sessionKey, state)
      if (entry === "expired") return rejectState("expired")
      // This browser never started that login (or already finished it).
      if (entry === undefined) return rejectState("unknown")
      pending = entry.pending === undefined ? undefined : await this.#readPending(entry.pending)
      if (pending === undefined) return rejectState("unknown")
    }

    let tokens: TokenSet
    try {
      // Without a pending login (no session, or a callback without state) the client's StateStore
      // path checks the callback and reports what is wrong with it.
      // `store: false`: the tokens go to `verify`, which keeps them for its user; stored by the
      // client they would land in its default session, shared by every user of the app.
      tokens =
        pending === undefined
          ? await this.client.handleCallback(callbackUrl(req), { store: false })
          : await this.client.completeCallback(callbackUrl(req), pending, { store: false })
    } catch (err) {
      const message = failureMessage(err)
      if (message !== undefined) return actions.fail({ message }, 401)
      return actions.error(err)
    }
    this.#runVerify(req, tokens, actions)
  }

  /** The session's pending login back; undefined for anything this strategy did not write (or cannot open). */
  async #readPending(stored: string): Promise<PendingAuthorization | undefined> {
    if (this.#seal === undefined) return decodeSafely(stored)
    return Effect.runPromise(this.#seal.open(stored)).catch(() => undefined)
  }

  #runVerify(req: StrategyRequest, tokens: TokenSet, actions: PassportStrategyActions): void {
    let settled = false
    const done: VerifyCallback = (err, user, info) => {
      if (settled) return
      settled = true
      if (err !== null && err !== undefined) return actions.error(err)
      if (user === undefined || user === null || user === false) return actions.fail(info, 401)
      actions.success(user, info)
    }
    // A verify that declares `done` answers through it (even when async); one that does not
    // answers with its return value, and returning nothing means "no user".
    const takesDone = this.#verify.length >= (this.#passReqToCallback ? 3 : 2)
    const answer = (user: unknown): void => {
      if (!settled && (user !== undefined || !takesDone)) done(null, user)
    }
    let result: unknown
    try {
      result = this.#passReqToCallback
        ? (this.#verify as VerifyFunctionWithRequest)(req, tokens, done)
        : (this.#verify as VerifyFunction)(tokens, done)
    } catch (err) {
      return done(err)
    }
    // @nestjs/passport's wrapper takes `...params`, calls done, then resolves with nothing: `settled` covers it.
    if (isThenable(result)) {
      // Whatever throws past Passport from here (a route handler, serializeUser) must not become an unhandled rejection.
      Promise.resolve(result)
        .then(answer, (err: unknown) => done(err ?? new Error("The verify function rejected")))
        .catch((err: unknown) => actions.error(err))
    } else {
      answer(result)
    }
  }
}

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  (typeof u === "object" || typeof u === "function") &&
  u !== null &&
  typeof (u as PromiseLike<unknown>).then === "function"

const decodeSafely = (encoded: string): PendingAuthorization | undefined => {
  try {
    return decodePending(encoded)
  } catch {
    return undefined
  }
}

const origin = (req: StrategyRequest): string => {
  const encrypted = req.socket !== undefined && (req.socket as { encrypted?: unknown }).encrypted === true
  const protocol = req.protocol ?? (encrypted ? "https" : "http")
  const host = firstHeader(req.headers.host) ?? "localhost"
  return `${protocol}://${host}`
}

const callbackUrl = (req: StrategyRequest): URL => new URL(req.originalUrl ?? req.url ?? "/", origin(req))
