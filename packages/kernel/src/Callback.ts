/**
 * The checks of an authorization callback (RFC 6749 §4.1.2, RFC 9207 `iss`) against the request
 * the app remembered. Pure: it says what the callback is, and the caller turns that into its own
 * errors and, for a code, the token request.
 */

/** The error a callback carries (RFC 6749 §4.1.2.1), read in the provider's dialect. */
export interface CallbackError {
  readonly error: string
  readonly description: string | undefined
  readonly uri: string | undefined
}

/**
 * How a provider reports a refused authorization: `rfc6749` (`error`, `error_description`), or
 * `error-flag` (Cryptohopper: `error=1` and a message under a name it does not document).
 */
export type CallbackErrorDialect = "rfc6749" | "error-flag"

/** What the callback must match. */
export interface CallbackExpectation {
  /** The state sent with the request. */
  readonly state: string
  /** Epoch ms after which the request is refused as expired. */
  readonly expiresAt: number
  readonly now: number
  /** The issuer (RFC 9207): a callback's `iss` must be it. */
  readonly issuer?: string | undefined
  /** `false` when the remembered request was made for another client or provider: a mismatch. */
  readonly sameClient?: boolean | undefined
  /** Refuse a callback without `iss` when an issuer is known. */
  readonly requireIss?: boolean | undefined
  readonly errorDialect?: CallbackErrorDialect | undefined
}

export type StateProblem = "missing" | "mismatch" | "expired" | "issuer"

export type CallbackOutcome =
  | { readonly _tag: "Code"; readonly code: string }
  | { readonly _tag: "Error"; readonly error: CallbackError }
  | { readonly _tag: "StateMismatch"; readonly reason: StateProblem }
  /** Neither exactly one code nor an error. */
  | { readonly _tag: "NoCode" }

const nonEmpty = (v: string | null): string | undefined => (v === null || v === "" ? undefined : v)

/** The error a callback carries, in the dialect's way; undefined when it carries none. */
export const callbackError = (
  params: URLSearchParams,
  dialect: CallbackErrorDialect = "rfc6749",
): CallbackError | undefined => {
  const error = nonEmpty(params.get("error"))
  if (error === undefined) return undefined
  const description =
    dialect === "error-flag"
      ? (nonEmpty(params.get("error_description")) ?? nonEmpty(params.get("message")))
      : nonEmpty(params.get("error_description"))
  return { error, description, uri: nonEmpty(params.get("error_uri")) }
}

/** Same length and characters, without stopping at the first difference. */
export const sameState = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Checks a callback in order: one state, the expected one, not expired, for this client; at most one `iss`, the
 * issuer's; then the error it carries, or exactly one code. Two states or two `iss` are refused (a
 * forgery attempt: only the first would be compared); a callback without state that carries an
 * error is the provider refusing the request outright, which it may redirect without state.
 */
export const checkCallback = (params: URLSearchParams, expected: CallbackExpectation): CallbackOutcome => {
  const dialect = expected.errorDialect ?? "rfc6749"
  if (params.getAll("state").length > 1) return { _tag: "StateMismatch", reason: "mismatch" }
  const state = nonEmpty(params.get("state"))
  if (state === undefined) {
    const error = callbackError(params, dialect)
    return error === undefined ? { _tag: "StateMismatch", reason: "missing" } : { _tag: "Error", error }
  }
  if (!sameState(state, expected.state)) return { _tag: "StateMismatch", reason: "mismatch" }
  if (expected.expiresAt <= expected.now) return { _tag: "StateMismatch", reason: "expired" }
  if (expected.sameClient === false) return { _tag: "StateMismatch", reason: "mismatch" }
  const iss = params.getAll("iss")
  if (iss.length > 1) return { _tag: "StateMismatch", reason: "issuer" }
  if (expected.issuer !== undefined) {
    if (iss[0] !== undefined ? iss[0] !== expected.issuer : expected.requireIss === true)
      return { _tag: "StateMismatch", reason: "issuer" }
  }
  const error = callbackError(params, dialect)
  if (error !== undefined) return { _tag: "Error", error }
  const code = nonEmpty(params.get("code"))
  if (code === undefined || params.getAll("code").length > 1) return { _tag: "NoCode" }
  return { _tag: "Code", code }
}
