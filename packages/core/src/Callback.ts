/**
 * Step two of the authorization code flow: the browser came back. The state is checked and
 * consumed exactly once (also when the callback carries an error), the provider's error format
 * is read, the RFC 9207 `iss` is compared with the issuer, and the code is exchanged with the
 * PKCE verifier and redirect URI remembered by `authorize`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * const tokens = OAuth.handleCallback(provider, "https://app.example/callback?code=...&state=...")
 * ```
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  AuthorizationError,
  type ConfigError,
  type InvalidResponse,
  type OAuthServerError,
  StateMismatch,
  type StoreError,
  type TransportError,
} from "./Errors.js"
import { exchangeCode } from "./ExchangeCode.js"
import type { Dialect } from "./Dialect.js"
import type { Provider } from "./Provider.js"
import { StateStore } from "./StateStore.js"
import type { TokenSet } from "./TokenSet.js"
import type { HttpTransport } from "./Transport.js"
import { redactText } from "./internal/redact.js"

/** The full callback URL, a path with its query (`req.originalUrl`), a query string, or its parameters. */
export type CallbackInput = string | URL | URLSearchParams

/** Reads the callback's parameters from any of the accepted shapes. */
export const callbackParams = (input: CallbackInput): URLSearchParams => {
  if (input instanceof URLSearchParams) return input
  if (input instanceof URL) return input.searchParams
  const s = String(input).trim()
  const q = s.indexOf("?")
  const query = q >= 0 ? s.slice(q + 1) : s.includes("=") ? s : ""
  return new URLSearchParams(query.split("#")[0])
}

const nonEmpty = (v: string | null): string | undefined => (v === null || v === "" ? undefined : v)

/** The error a callback carries, read the dialect's way; undefined when it carries none. */
export const callbackError = (params: URLSearchParams, dialect: Dialect): AuthorizationError | undefined => {
  const error = nonEmpty(params.get("error"))
  if (error === undefined) return undefined
  const description =
    dialect.callbackErrors === "error-flag"
      ? // Cryptohopper sends `error=1` and a message whose parameter name it does not document.
        (nonEmpty(params.get("error_description")) ?? nonEmpty(params.get("message")))
      : nonEmpty(params.get("error_description"))
  // A provider may echo the request (code included) into its message or error_uri.
  const known = params.getAll("code")
  const uri = nonEmpty(params.get("error_uri"))
  return new AuthorizationError({
    error: redactText(error, known),
    description: description === undefined ? undefined : redactText(description, known),
    uri: uri === undefined ? undefined : redactText(uri, known),
  })
}

/** Checks and consumes the state, then exchanges the code. */
export const handleCallback = Effect.fn("OAuth.handleCallback")(function* (
  provider: Provider,
  input: CallbackInput,
): Effect.fn.Return<
  TokenSet,
  | AuthorizationError
  | StateMismatch
  | StoreError
  | ConfigError
  | TransportError
  | InvalidResponse
  | OAuthServerError,
  StateStore | HttpTransport
> {
  const params = callbackParams(input)
  const states = params.getAll("state")
  if (states.length > 1) return yield* new StateMismatch({ reason: "mismatch" })
  const state = nonEmpty(params.get("state"))
  const error = callbackError(params, provider.dialect)
  if (state === undefined) {
    // A provider refusing the request outright (bad client id) may redirect without state.
    if (error !== undefined) return yield* error
    return yield* new StateMismatch({ reason: "missing" })
  }
  const store = yield* StateStore
  const taken = yield* store.take(state)
  if (Option.isNone(taken)) return yield* new StateMismatch({ reason: "unknown" })
  const pending = taken.value
  const now = yield* Clock.currentTimeMillis
  if (pending.expiresAt <= now) return yield* new StateMismatch({ reason: "expired" })
  if (pending.providerId !== provider.id) return yield* new StateMismatch({ reason: "mismatch" })

  const issuer = provider.endpoints.issuer
  if (issuer !== undefined) {
    const iss = params.get("iss")
    if (iss !== null ? iss !== issuer : provider.dialect.requireIssInCallback === true) {
      return yield* new StateMismatch({ reason: "issuer" })
    }
  }
  if (error !== undefined) return yield* error
  const code = nonEmpty(params.get("code"))
  if (code === undefined || params.getAll("code").length > 1) {
    return yield* new AuthorizationError({
      error: "invalid_request",
      description: "the callback carries neither exactly one code nor an error",
      uri: undefined,
    })
  }
  return yield* exchangeCode(provider, {
    code,
    codeVerifier: pending.codeVerifier,
    redirectUri: pending.redirectUri,
  })
})
