/**
 * Step two of the authorization code flow: the browser came back.
 *
 * - `completeCallback(provider, input, pending)` is the pure step: it checks the callback against
 *   the `pending` the app kept from `createAuthorizationRequest` (same state, not expired, same
 *   provider, RFC 9207 `iss`), reads the provider's error format, and exchanges the code with the
 *   pending PKCE verifier and redirect URI. Consuming `pending` (once) is the app's business.
 * - `handleCallback(provider, input)` takes the pending request out of the StateStore by the
 *   callback's state (so exactly once, also when the callback carries an error), then completes.
 *
 * Refused callbacks never reach the token endpoint. Input is the full callback URL, a path with
 * its query (`req.originalUrl`), a query string, URLSearchParams, or a record of query
 * parameters (`req.query` in Express and Nest); anything else is a `ConfigError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * const tokens = OAuth.handleCallback(provider, "https://app.example/callback?code=...&state=...")
 * const same = OAuth.completeCallback(provider, req.query, pendingFromSession)
 * ```
 */
import * as Kernel from "@grantflow/kernel/Callback"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  AuthorizationError,
  ConfigError,
  type InvalidResponse,
  type OAuthServerError,
  StateMismatch,
  type StoreError,
  type TransportError,
} from "./Errors.js"
import { exchangeCode } from "./ExchangeCode.js"
import type { Dialect } from "./Dialect.js"
import { isPendingAuthorization, type PendingAuthorization } from "./PendingAuthorization.js"
import type { Provider } from "./Provider.js"
import { StateStore } from "./StateStore.js"
import type { TokenSet } from "./TokenSet.js"
import type { HttpTransport } from "./Transport.js"
import { redactText } from "./internal/redact.js"

/**
 * Query parameters as Express, Nest and most query parsers hold them (`req.query`, qs's
 * `ParsedQs` included). A nested value (`code[x]=1`) is not the flat parameter and counts as an
 * empty one.
 */
export interface CallbackQuery {
  readonly [name: string]: undefined | string | CallbackQuery | ReadonlyArray<string | CallbackQuery>
}

/**
 * The full callback URL, a path with its query (`req.originalUrl`), a query string,
 * URLSearchParams, or a record of query parameters (`req.query`).
 */
export type CallbackInput = string | URL | URLSearchParams | CallbackQuery

const WHAT_TO_PASS =
  "pass the callback URL (a string or URL, e.g. req.originalUrl), its query string, URLSearchParams, or the record of query parameters (req.query)"

const notACallback = (got: string) =>
  new ConfigError({ reason: `handleCallback got ${got}: ${WHAT_TO_PASS}` })

const describe = (input: unknown): string => {
  if (input === null) return "null"
  if (Array.isArray(input)) return "an array"
  if (typeof input !== "object") return `a ${typeof input}`
  const name = (Object.getPrototypeOf(input) as { constructor?: { name?: unknown } } | null)?.constructor
    ?.name
  return typeof name === "string" && name.length > 0 ? `a ${name}` : "an object"
}

const isRecord = (input: object): boolean => {
  const proto = Object.getPrototypeOf(input) as unknown
  return proto === null || proto === Object.prototype
}

/**
 * Reads the callback's parameters from any accepted shape; a `ConfigError` for any other value.
 * Parameters are only ever read from the query: never from a fragment (`…/cb#x?code=…`).
 */
export const readCallbackParams = (input: unknown): URLSearchParams | ConfigError => {
  if (input instanceof URLSearchParams) return input
  // URL.searchParams is the query alone; the fragment is `hash`.
  if (input instanceof URL) return input.searchParams
  if (typeof input === "string") {
    const beforeFragment = input.trim().split("#", 1)[0]!
    const q = beforeFragment.indexOf("?")
    const query = q >= 0 ? beforeFragment.slice(q + 1) : beforeFragment.includes("=") ? beforeFragment : ""
    return new URLSearchParams(query)
  }
  if (typeof input !== "object" || input === null || Array.isArray(input) || !isRecord(input)) {
    return notACallback(describe(input))
  }
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    if (typeof value === "string") params.append(name, value)
    // A repeated parameter (`?state=a&state=b`); each value counts, so duplicates are seen.
    else if (Array.isArray(value)) for (const v of value) params.append(name, typeof v === "string" ? v : "")
    // qs-style nesting (`code[x]=1` -> { code: { x: "1" } }) is not the flat parameter: present but unusable.
    else if (typeof value === "object" && value !== null) params.append(name, "")
    else return notACallback(`a record whose ${JSON.stringify(name.slice(0, 40))} is ${describe(value)}`)
  }
  return params
}

/** Reads the callback's parameters from any accepted shape; throws `ConfigError` for any other value. */
export const callbackParams = (input: CallbackInput): URLSearchParams => {
  const params = readCallbackParams(input)
  if (params instanceof ConfigError) throw params
  return params
}

const nonEmpty = (v: string | null): string | undefined => (v === null || v === "" ? undefined : v)

/** The error a callback carries, read the dialect's way; undefined when it carries none. */
export const callbackError = (params: URLSearchParams, dialect: Dialect): AuthorizationError | undefined => {
  const carried = Kernel.callbackError(params, dialect.callbackErrors)
  return carried === undefined ? undefined : authorizationError(carried, params)
}

/** The kernel's reading as AuthorizationError, scrubbed of the code a provider may echo into its message or error_uri. */
const authorizationError = (carried: Kernel.CallbackError, params: URLSearchParams): AuthorizationError => {
  const known = params.getAll("code")
  return new AuthorizationError({
    error: redactText(carried.error, known),
    description: carried.description === undefined ? undefined : redactText(carried.description, known),
    uri: carried.uri === undefined ? undefined : redactText(carried.uri, known),
  })
}

type CallbackError =
  AuthorizationError | StateMismatch | ConfigError | TransportError | InvalidResponse | OAuthServerError

const paramsOf = (input: CallbackInput): Effect.Effect<URLSearchParams, ConfigError> => {
  const params = readCallbackParams(input)
  return params instanceof ConfigError ? Effect.fail(params) : Effect.succeed(params)
}

/**
 * The callback's one state, or why there is none to check: two states are a forgery attempt, and a
 * callback without state that carries an error is the provider refusing the request outright
 * (bad client id), which it may redirect without state.
 */
const stateOf = (
  params: URLSearchParams,
  dialect: Dialect,
): Effect.Effect<string, StateMismatch | AuthorizationError> => {
  if (params.getAll("state").length > 1) return Effect.fail(new StateMismatch({ reason: "mismatch" }))
  const state = nonEmpty(params.get("state"))
  if (state !== undefined) return Effect.succeed(state)
  return Effect.fail(callbackError(params, dialect) ?? new StateMismatch({ reason: "missing" }))
}

const complete = Effect.fnUntraced(function* (
  provider: Provider,
  params: URLSearchParams,
  pending: PendingAuthorization,
): Effect.fn.Return<TokenSet, CallbackError, HttpTransport> {
  const now = yield* Clock.currentTimeMillis
  const outcome = Kernel.checkCallback(params, {
    state: pending.state,
    expiresAt: pending.expiresAt,
    now,
    sameClient: pending.providerId === provider.id,
    // RFC 9207: one iss, the issuer's. Two of them (only the first would be compared) are refused like two states.
    issuer: provider.endpoints.issuer,
    requireIss: provider.dialect.requireIssInCallback === true,
    errorDialect: provider.dialect.callbackErrors,
  })
  if (outcome._tag === "StateMismatch") return yield* new StateMismatch({ reason: outcome.reason })
  if (outcome._tag === "Error") return yield* authorizationError(outcome.error, params)
  if (outcome._tag === "NoCode") {
    return yield* new AuthorizationError({
      error: "invalid_request",
      description: "the callback carries neither exactly one code nor an error",
      uri: undefined,
    })
  }
  const code = outcome.code
  return yield* exchangeCode(provider, {
    code,
    codeVerifier: pending.codeVerifier,
    redirectUri: pending.redirectUri,
  })
})

/**
 * Checks the callback against `pending` (kept by the app since `createAuthorizationRequest`) and
 * exchanges the code. No pending (a lost session) is `StateMismatch` "unknown"; a value that is
 * not a pending authorization is `ConfigError`.
 */
export const completeCallback = Effect.fn("OAuth.completeCallback")(function* (
  provider: Provider,
  input: CallbackInput,
  pending: PendingAuthorization | undefined,
): Effect.fn.Return<TokenSet, CallbackError, HttpTransport> {
  const params = yield* paramsOf(input)
  // The usual way to get here without one: the session that held it expired or was cleared.
  if (pending === undefined || pending === null) return yield* new StateMismatch({ reason: "unknown" })
  if (!isPendingAuthorization(pending)) {
    return yield* new ConfigError({
      reason:
        "completeCallback needs the pending returned by createAuthorizationRequest (decodePending(text) for one kept with encodePending)",
    })
  }
  return yield* complete(provider, params, pending)
})

/** Takes the pending request out of the StateStore by the callback's state, then completes the callback against it. */
export const handleCallback = Effect.fn("OAuth.handleCallback")(function* (
  provider: Provider,
  input: CallbackInput,
): Effect.fn.Return<TokenSet, CallbackError | StoreError, StateStore | HttpTransport> {
  const params = yield* paramsOf(input)
  const state = yield* stateOf(params, provider.dialect)
  const store = yield* StateStore
  const taken = yield* store.take(state)
  if (Option.isNone(taken)) return yield* new StateMismatch({ reason: "unknown" })
  return yield* complete(provider, params, taken.value)
})
