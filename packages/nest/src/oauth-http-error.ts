import type { OAuthError } from "@grantflow/core"

/** The JSON body `OAuthExceptionFilter` answers with. */
export interface OAuthHttpError {
  readonly statusCode: number
  /** The error's `_tag`, e.g. `"AuthorizationError"`. */
  readonly error: OAuthError["_tag"]
  /** Safe to show a user: no secret, no request data, no server internals. */
  readonly message: string
}

/** What the filter does with one error: the answer, and what to log beside it (if anything). */
export interface OAuthHttpMapping {
  readonly body: OAuthHttpError
  /** Logged, never sent: details a user must not see but an operator needs. */
  readonly log?: { readonly level: "warn" | "error"; readonly message: string } | undefined
  /** Headers to send with the answer (lower-case names): `retry-after` when the provider asked us to wait. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const OAUTH_ERROR_TAGS: ReadonlySet<string> = new Set<OAuthError["_tag"]>([
  "OAuthServerError",
  "AuthorizationError",
  "StateMismatch",
  "InvalidResponse",
  "TransportError",
  "ConfigError",
  "StoreError",
  "LoginRequired",
])

/** Whether `u` is one of `@grantflow/core`'s tagged errors (checked by `_tag`, so it holds across copies of core). */
export const isOAuthError = (u: unknown): u is OAuthError =>
  typeof u === "object" && u !== null && OAUTH_ERROR_TAGS.has((u as { _tag?: unknown })._tag as string)

const CREDENTIALS_REJECTED = new Set(["invalid_client", "unauthorized_client"])

/**
 * Maps a grantflow error to the HTTP answer `OAuthExceptionFilter` sends, for custom filters
 * (GraphQL, RPC) that want the same statuses and messages.
 *
 * @example
 * ```ts
 * const { body } = toOAuthHttpError(err) // { statusCode: 504, error: "TransportError", message: "..." }
 * ```
 */
export const toOAuthHttpError = (e: OAuthError): OAuthHttpMapping => {
  const answer = (
    statusCode: number,
    message: string,
    log?: OAuthHttpMapping["log"],
    headers?: OAuthHttpMapping["headers"],
  ): OAuthHttpMapping => ({
    body: { statusCode, error: e._tag, message },
    log,
    ...(headers === undefined ? {} : { headers }),
  })
  switch (e._tag) {
    case "AuthorizationError":
      return answer(401, e.message)
    case "StateMismatch":
      return answer(400, e.message)
    case "LoginRequired":
      return answer(401, e.message)
    case "OAuthServerError":
      if (CREDENTIALS_REJECTED.has(e.error)) {
        return answer(
          502,
          `The provider rejected this application's credentials (${e.error}); the client id or secret is wrong or not allowed this grant`,
          { level: "error", message: e.message },
        )
      }
      if (e.error === "invalid_grant") return answer(401, "Session expired, sign in again")
      // The provider is rate limiting or down for a while: pass its wait on, so clients back off
      // instead of hammering us (and through us, the provider).
      if (e.status === 429 || e.status === 503 || e.error === "temporarily_unavailable") {
        return answer(
          503,
          e.retryAfter === undefined
            ? "The provider is busy, try again shortly"
            : `The provider is busy, try again in ${e.retryAfter} s`,
          { level: "warn", message: e.message },
          e.retryAfter === undefined ? undefined : { "retry-after": String(e.retryAfter) },
        )
      }
      return answer(502, `The provider refused the request: ${e.message}`, {
        level: "warn",
        message: e.message,
      })
    case "InvalidResponse":
      return answer(502, e.message, {
        level: "warn",
        message: `${e.message}; body starts with: ${e.excerpt}`,
      })
    case "TransportError":
      // The message names the provider's host and path: an operator's business, not a visitor's.
      return answer(504, `The provider did not answer (${e.reason})`, { level: "warn", message: e.message })
    case "ConfigError":
      return answer(500, "The OAuth client is misconfigured", { level: "error", message: e.message })
    case "StoreError":
      return answer(503, "The token store is unavailable, try again shortly", {
        level: "error",
        message: e.message,
      })
  }
}
