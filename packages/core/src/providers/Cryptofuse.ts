/**
 * Cryptofuse (client credentials, django-oauth-toolkit). Plain RFC 6749 form requests with
 * space-separated scopes; client authentication by Basic header or in the body (not both);
 * no refresh tokens (a new token is requested instead).
 *
 * @example
 * ```ts
 * import { Providers } from "@grantflow/core"
 * const fuse = Providers.cryptofuse({ clientId, clientSecret, auth: "basic" })
 * ```
 */
import { type Dialect, rfc6749 } from "../Dialect.js"
import type { SecretInput } from "../internal/secrets.js"
import type { Provider } from "../Provider.js"
import { makeProvider } from "../internal/makeProvider.js"

export interface CryptofuseOptions {
  readonly clientId: string
  readonly clientSecret: SecretInput
  /** Default `https://api.cryptofuse.io`. */
  readonly baseUrl?: string | undefined
  /** `basic`: `Authorization: Basic` (default); `post`: `client_id`/`client_secret` in the form body. */
  readonly auth?: "basic" | "post" | undefined
  /** Default scopes for client credentials (`read`, `write`, `admin`). */
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly endpoints?:
    | {
        readonly token?: string | undefined
        readonly revocation?: string | undefined
        readonly introspection?: string | undefined
        readonly api?: string | undefined
      }
    | undefined
  readonly allowInsecureHttp?: boolean | undefined
}

/** Cryptofuse's dialect (RFC 6749 as django-oauth-toolkit speaks it). */
export const cryptofuseDialect: Dialect = { ...rfc6749, pkce: "none" }

/** A Cryptofuse provider; throws ConfigError on bad settings. */
export const cryptofuse = (options: CryptofuseOptions): Provider => {
  const baseUrl = (options.baseUrl ?? "https://api.cryptofuse.io").replace(/\/+$/, "")
  return makeProvider({
    id: "cryptofuse",
    endpoints: {
      token: options.endpoints?.token ?? `${baseUrl}/o/token/`,
      revocation: options.endpoints?.revocation ?? `${baseUrl}/o/revoke_token/`,
      introspection: options.endpoints?.introspection ?? `${baseUrl}/o/introspect/`,
      api: options.endpoints?.api ?? baseUrl,
    },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    dialect: { ...cryptofuseDialect, clientAuth: options.auth === "post" ? "client_secret_post" : "client_secret_basic" },
    grant: "client_credentials",
    defaultScopes: options.scopes,
    allowInsecureHttp: options.allowInsecureHttp,
  })
}
