/**
 * The tags a token source can fail with. They are the same names as `@grantflow/core`'s tagged
 * errors, so code that switches on `error._tag` reads the same on the server and in the browser;
 * this package does not import core's classes to keep effect out of the browser bundle.
 */
export type OAuthTokenErrorTag =
  | "InvalidResponse"
  | "TransportError"
  | "OAuthServerError"
  | "AuthorizationError"
  | "StateMismatch"
  | "ConfigError"

const tags: ReadonlyArray<string> = [
  "InvalidResponse",
  "TransportError",
  "OAuthServerError",
  "AuthorizationError",
  "StateMismatch",
  "ConfigError",
]

/** Extra facts about a failure; never a token, code or verifier. */
export interface OAuthTokenErrorDetails {
  /** HTTP status of the answer, when there was one. */
  readonly status?: number | undefined
  /** The OAuth error code (`invalid_grant`, `access_denied`, ...), when the server sent one. */
  readonly code?: string | undefined
}

/**
 * Why the token is not available: the `error` of `useOAuthToken()` when `status` is `"error"`,
 * and what `getValidToken()` rejects with.
 *
 * @example
 * ```ts
 * const { status, error } = useOAuthToken()
 * if (status === "error" && error._tag === "AuthorizationError") return <p>{error.message}</p>
 * ```
 */
export class OAuthTokenError extends Error {
  /** Which kind of failure, named like `@grantflow/core`'s errors. */
  readonly _tag: OAuthTokenErrorTag
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined
  /** The OAuth error code, when the server sent one. */
  readonly code: string | undefined

  constructor(tag: OAuthTokenErrorTag, message: string, details: OAuthTokenErrorDetails = {}) {
    super(message)
    this.name = tag
    this._tag = tag
    this.status = details.status
    this.code = details.code
  }

  /** A plain object for logs and JSON answers: tag, message, status and code only. */
  toJSON(): { _tag: OAuthTokenErrorTag; message: string; status?: number; code?: string } {
    return {
      _tag: this._tag,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.code === undefined ? {} : { code: this.code }),
    }
  }
}

/** True for the tag names above, e.g. the `error` field a backend sends as `{ error: "TransportError" }`. */
export const isTokenErrorTag = (value: unknown): value is OAuthTokenErrorTag =>
  typeof value === "string" && tags.includes(value)
