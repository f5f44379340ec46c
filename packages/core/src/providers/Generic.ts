/**
 * Any RFC 6749 server, with every dialect field overridable.
 *
 * @example
 * ```ts
 * import { Providers } from "@grantflow/core"
 * const idp = Providers.generic({
 *   authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: "https://idp.example/token",
 *   clientId: "app", clientSecret: process.env.SECRET, redirectUri: "https://app.example/cb",
 * })
 * ```
 */
import { type Dialect, rfc6749 } from "../Dialect.js"
import type { SecretInput } from "../internal/secrets.js"
import type { Provider } from "../Provider.js"
import { makeProvider } from "../internal/makeProvider.js"

export interface GenericOptions {
  readonly authorizationEndpoint?: string | undefined
  readonly tokenEndpoint: string
  readonly revocationEndpoint?: string | undefined
  /** RFC 8628 device authorization endpoint. */
  readonly deviceAuthorizationEndpoint?: string | undefined
  /** RFC 7662 introspection endpoint. */
  readonly introspectionEndpoint?: string | undefined
  /** Base URL for `client.fetch` with relative paths. */
  readonly apiBase?: string | undefined
  /** The issuer identifier, checked against RFC 9207 `iss` in callbacks. */
  readonly issuer?: string | undefined
  readonly clientId: string
  /** Omit for a public client (then client authentication defaults to `none`). */
  readonly clientSecret?: SecretInput | undefined
  readonly redirectUri?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  /** What `getAccessToken` does without a session; default `authorization_code` when a redirect URI is set. */
  readonly grant?: Provider["grant"] | undefined
  readonly dialect?: Partial<Dialect> | undefined
  /** Name used in spans and store keys (default: the token endpoint's host). */
  readonly id?: string | undefined
  readonly allowInsecureHttp?: boolean | undefined
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return "generic"
  }
}

/** A provider for a standard server; throws ConfigError on bad settings. */
export const generic = (options: GenericOptions): Provider => {
  const clientAuth = options.dialect?.clientAuth ?? (options.clientSecret === undefined ? "none" : rfc6749.clientAuth)
  return makeProvider({
    id: options.id ?? hostOf(options.tokenEndpoint),
    endpoints: {
      authorization: options.authorizationEndpoint,
      token: options.tokenEndpoint,
      revocation: options.revocationEndpoint,
      deviceAuthorization: options.deviceAuthorizationEndpoint,
      introspection: options.introspectionEndpoint,
      api: options.apiBase,
      issuer: options.issuer,
    },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    dialect: { ...rfc6749, ...options.dialect, clientAuth },
    grant: options.grant ?? (options.redirectUri !== undefined ? "authorization_code" : "client_credentials"),
    defaultScopes: options.scopes,
    allowInsecureHttp: options.allowInsecureHttp,
  })
}
