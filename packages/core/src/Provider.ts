/**
 * A Provider is data: where the server is, who we are to it, and which dialect it speaks.
 * Build one with `Providers.cryptohopper`, `Providers.cryptofuse`, `Providers.generic` or
 * `Providers.discover`.
 */
import type * as Redacted from "effect/Redacted"
import type { Dialect } from "./Dialect.js"

export interface Endpoints {
  readonly authorization?: string | undefined
  readonly token: string
  readonly revocation?: string | undefined
  /** RFC 8628 device authorization endpoint, for `deviceAuthorization`. */
  readonly deviceAuthorization?: string | undefined
  /** RFC 7662 introspection endpoint, for `introspect`. */
  readonly introspection?: string | undefined
  /** Base URL of the provider's API, for `client.fetch` with relative paths. */
  readonly api?: string | undefined
  readonly issuer?: string | undefined
}

export interface ClientCredentials {
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly redirectUri?: string | undefined
}

export interface Provider {
  /** A short stable name (`cryptohopper`, `cryptofuse`, `generic`, or the issuer host), used in spans and store keys. */
  readonly id: string
  readonly endpoints: Endpoints
  readonly client: ClientCredentials
  readonly dialect: Dialect
  /** The grant `getAccessToken` uses when it has no session: client credentials, or a user's refresh token. */
  readonly grant: "authorization_code" | "client_credentials"
  readonly defaultScopes: ReadonlyArray<string>
}
