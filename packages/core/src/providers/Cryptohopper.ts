/**
 * Cryptohopper (authorization code). Its documented quirks, all in the dialect below: a JSON
 * token request with the client secret in the body, comma-separated scopes, callback errors as
 * `error=1` plus a human message, API calls authenticated with an `access-token` header
 * (the gateway rejects `Authorization: Bearer`), and a refused token reported by an error flag in
 * the JSON body, sometimes inside a 200.
 *
 * @example
 * ```ts
 * import { Providers } from "@grantflow/core"
 * const hopper = Providers.cryptohopper({ clientId, clientSecret, redirectUri: "https://app.example/callback" })
 * ```
 */
import { type Dialect, rfc6749 } from "../Dialect.js"
import type { SecretInput } from "../internal/secrets.js"
import type { Provider } from "../Provider.js"
import { makeProvider } from "../internal/makeProvider.js"

export interface CryptohopperOptions {
  readonly clientId: string
  readonly clientSecret: SecretInput
  /** Sent exactly as given; must match the app's configured redirect URL. */
  readonly redirectUri?: string | undefined
  /** Default scopes for `authorizationUrl` (`read`, `notifications`, `manage`, `trade`, `user`). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Point the preset at a sandbox or staging server. */
  readonly endpoints?:
    | {
        readonly authorization?: string | undefined
        readonly token?: string | undefined
        readonly revocation?: string | undefined
        readonly api?: string | undefined
      }
    | undefined
  /** PKCE method (default S256; the server ignores parameters it does not know). */
  readonly pkce?: Dialect["pkce"] | undefined
  /** Also send `x-api-app-key: <clientId>` on API calls. */
  readonly appKeyHeader?: boolean | undefined
  readonly allowInsecureHttp?: boolean | undefined
}

/** Cryptohopper's dialect: how its OAuth server deviates from RFC 6749. */
export const cryptohopperDialect: Dialect = {
  ...rfc6749,
  // The docs: "The API call to the token endpoint needs to be a JSON encoded POST request".
  tokenRequestBody: "json",
  clientAuth: "client_secret_post",
  scopeDelimiter: ",",
  callbackErrors: "error-flag",
  apiAuth: { kind: "header", header: "access-token" },
  // Its API gateway answers a refused token with `200 {"status":401,"code":0,"error":1,...}` too.
  apiRefusal: "error-flag",
  keepRefreshTokenWhenAbsent: true,
}

export const defaultEndpoints = {
  authorization: "https://www.cryptohopper.com/oauth2/authorize",
  token: "https://www.cryptohopper.com/oauth2/token",
  api: "https://api.cryptohopper.com/v1",
} as const

/** A Cryptohopper provider; throws ConfigError on bad settings. */
export const cryptohopper = (options: CryptohopperOptions): Provider =>
  makeProvider({
    id: "cryptohopper",
    endpoints: {
      authorization: options.endpoints?.authorization ?? defaultEndpoints.authorization,
      token: options.endpoints?.token ?? defaultEndpoints.token,
      // Cryptohopper documents no revocation endpoint.
      revocation: options.endpoints?.revocation,
      api: options.endpoints?.api ?? defaultEndpoints.api,
    },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    dialect: {
      ...cryptohopperDialect,
      pkce: options.pkce ?? cryptohopperDialect.pkce,
      apiAuth: {
        kind: "header",
        header: "access-token",
        appKeyHeader: options.appKeyHeader === true ? "x-api-app-key" : undefined,
      },
    },
    grant: "authorization_code",
    defaultScopes: options.scopes,
    allowInsecureHttp: options.allowInsecureHttp,
  })
