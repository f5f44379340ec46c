/**
 * A dialect says how one authorization server deviates from RFC 6749. Providers are data:
 * endpoints plus a dialect; flows read the dialect and never ask which provider they talk to.
 *
 * @example
 * ```ts
 * import { Providers } from "@grantflow/core"
 * const p = Providers.generic({ tokenEndpoint: "https://idp.example/token", clientId: "x",
 *   dialect: { tokenRequestBody: "json", scopeDelimiter: "," } })
 * ```
 */
export interface Dialect {
  /** How token requests are encoded: RFC 6749 form, or a JSON body (Cryptohopper's documented way). */
  readonly tokenRequestBody: "form" | "json"
  /** RFC 6749 §2.3.1 client authentication at the token endpoint. */
  readonly clientAuth: "client_secret_basic" | "client_secret_post" | "none"
  /** Delimiter used when sending `scope` (RFC: `" "`; Cryptohopper: `","`). */
  readonly scopeDelimiter: string
  /** PKCE method sent with authorization requests; `"none"` where the server cannot take it. */
  readonly pkce: "S256" | "plain" | "none"
  /**
   * How the authorization callback reports errors:
   * - `rfc6749`: `error=access_denied&error_description=...`
   * - `error-flag`: Cryptohopper's `error=1` with a human message in `error_description` or `message`
   */
  readonly callbackErrors: "rfc6749" | "error-flag"
  /** How an access token is attached to API calls. */
  readonly apiAuth:
    | { readonly kind: "bearer" }
    /** Cryptohopper: `access-token: <token>`; `appKeyHeader` also sends the client id (`x-api-app-key`). */
    | { readonly kind: "header"; readonly header: string; readonly appKeyHeader?: string | undefined }
  /**
   * How the provider's API says it refused the access token (then `fetch` renews it once and
   * retries once):
   * - `rfc6750` (default): HTTP 401, or `WWW-Authenticate: Bearer error="invalid_token"` on any status
   * - `error-flag`: the same, plus Cryptohopper's JSON error flag on any status, a 200 included:
   *   `{"status":401,"code":0,"error":1,"message":"Invalid access token."}`
   */
  readonly apiRefusal?: "rfc6750" | "error-flag" | undefined
  /** Whether a refresh answer without `refresh_token` keeps the old one (it does everywhere we know). */
  readonly keepRefreshTokenWhenAbsent: boolean
  /** Send `redirect_uri` with the refresh grant too (some servers want it). */
  readonly redirectUriOnRefresh: boolean
  /**
   * RFC 9207: the server always puts `iss` in the authorization response, so a callback without
   * it is refused (mix-up defence). An `iss` that is present is always checked against the issuer.
   */
  readonly requireIssInCallback?: boolean | undefined
  /**
   * How the client id and secret are put into a `client_secret_basic` header.
   * - `form-urlencoded` (default): each form-urlencoded first, as RFC 6749 §2.3.1 requires.
   * - `raw`: as they are. For servers that do not URL-decode Basic credentials (authlib 1.2,
   *   @node-oauth/oauth2-server 5.3, glewlwyd 2.7): with `form-urlencoded` they refuse a secret
   *   holding a reserved character (`+ / = : %` ...) as `invalid_client`. A client id with `:`
   *   cannot be sent raw.
   */
  readonly basicAuthEncoding?: "form-urlencoded" | "raw" | undefined
}

/** RFC 6749 as written. */
export const rfc6749: Dialect = {
  tokenRequestBody: "form",
  clientAuth: "client_secret_basic",
  scopeDelimiter: " ",
  pkce: "S256",
  callbackErrors: "rfc6749",
  apiAuth: { kind: "bearer" },
  apiRefusal: "rfc6750",
  keepRefreshTokenWhenAbsent: true,
  redirectUriOnRefresh: false,
}
