/**
 * The tagged errors every grantflow flow can fail with. Each one is an `Error` with a `_tag`,
 * so Effect users recover with `Effect.catchTag` and Promise users with `err._tag === "..."`.
 * None of them ever carries a secret: token, code, verifier and client secret stay out of
 * messages, fields, `String()`, `JSON.stringify` and `util.inspect`.
 *
 * @example
 * ```ts
 * import { OAuthServerError } from "@grantflow/core"
 * try { await client.clientCredentials() } catch (e) {
 *   if (e instanceof OAuthServerError && e.error === "invalid_client") console.error(e.message)
 * }
 * ```
 */
import * as Data from "effect/Data"

/** The token (or revocation) endpoint answered with an RFC 6749 §5.2 error. */
export class OAuthServerError extends Data.TaggedError("OAuthServerError")<{
  /** The RFC 6749 error code, e.g. `invalid_client`, `invalid_grant`. */
  readonly error: string
  readonly description: string | undefined
  readonly uri: string | undefined
  /** HTTP status of the answer (an `error` inside a 200 keeps its 200). */
  readonly status: number
  /** Seconds the server asked us to wait (`Retry-After`), when it said so. */
  readonly retryAfter?: number | undefined
}> {
  override get message(): string {
    return `OAuth server error ${this.error} (HTTP ${this.status})${this.description ? `: ${this.description}` : ""}`
  }
}

/** The authorization callback carried an error: the user denied consent, or the provider refused the request. */
export class AuthorizationError extends Data.TaggedError("AuthorizationError")<{
  /** RFC 6749 §4.1.2.1 code (`access_denied`, ...), or `"1"` for Cryptohopper's `error=1`. */
  readonly error: string
  /** The provider's human message (`error_description`, or Cryptohopper's message). */
  readonly description: string | undefined
  readonly uri: string | undefined
}> {
  override get message(): string {
    return `Authorization failed: ${this.description ?? this.error}`
  }
}

/** The callback's `state` is missing, unknown, already used, or expired. */
export class StateMismatch extends Data.TaggedError("StateMismatch")<{
  readonly reason: "missing" | "unknown" | "expired" | "issuer" | "mismatch"
}> {
  override get message(): string {
    return `State check failed (${this.reason}): the callback does not belong to a pending authorization request`
  }
}

/** A server answered something that is not a valid OAuth response (HTML, truncated JSON, wrong shape, too large). */
export class InvalidResponse extends Data.TaggedError("InvalidResponse")<{
  readonly status: number
  readonly contentType: string | undefined
  /** What was wrong, in words. */
  readonly reason: string
  /** The first bytes of the body with anything that looks like a secret replaced by `<redacted>`. */
  readonly excerpt: string
  /** What the body was, when the answer was read: an HTML page is a proxy's or a bot wall's, not the OAuth server's. */
  readonly bodyKind?: "empty" | "html" | "json" | "form" | "text" | undefined
}> {
  override get message(): string {
    return `Invalid response (HTTP ${this.status}, ${this.contentType ?? "no content type"}): ${this.reason}`
  }
}

/** The request never got an answer: network error, connection reset, DNS, or timeout. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: "timeout" | "network" | "aborted"
  /** `METHOD origin+path` of the request, never its query or body. */
  readonly request: string
  readonly detail?: string | undefined
  /** The system error code when there was one (`ECONNREFUSED`, `ECONNRESET`, ...): tells whether the server can have seen the request. */
  readonly code?: string | undefined
}> {
  override get message(): string {
    return `Transport error (${this.reason}) on ${this.request}${this.detail ? `: ${this.detail}` : ""}`
  }
}

/** The provider or client is configured wrongly (missing endpoint, plain http to a non-loopback host, ...). */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly reason: string
}> {
  override get message(): string {
    return `Configuration error: ${this.reason}`
  }
}

/** A TokenStore / StateStore backend failed (e.g. Redis unreachable). */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly operation: string
  readonly detail?: string | undefined
}> {
  override get message(): string {
    return `Store error during ${this.operation}${this.detail ? `: ${this.detail}` : ""}`
  }
}

/**
 * `getAccessToken` / `fetch` for a user session that cannot produce a token without the user:
 * no such session, a session without a refresh token, or one whose refresh token the server
 * refused (`invalid_grant`, a bare 400: see RefreshRefusal; the session is then deleted, so it is
 * not retried in a loop).
 * Send the user through `authorizationUrl` again.
 */
export class LoginRequired extends Data.TaggedError("LoginRequired")<{
  readonly reason: "no-session" | "no-refresh-token" | "refresh-token-rejected"
}> {
  override get message(): string {
    switch (this.reason) {
      case "no-session":
        return "Login required: no tokens are stored for this session"
      case "no-refresh-token":
        return "Login required: the session's access token expired and it has no refresh token"
      case "refresh-token-rejected":
        return "Login required: the server refused the session's refresh token, so the session was cleared"
    }
  }
}

/** Any error a grantflow flow can reject with. */
export type OAuthError =
  | OAuthServerError
  | AuthorizationError
  | StateMismatch
  | InvalidResponse
  | TransportError
  | ConfigError
  | StoreError
  | LoginRequired
