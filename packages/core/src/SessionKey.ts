/**
 * The TokenStore key of a session. A client-credentials token belongs to the client and the
 * scopes it was asked for: `<provider>:<client>:cc:<sorted scopes>`. A user's tokens belong to
 * the key the caller gives (a user id, a session id): `<provider>:<client>:user:<session>`.
 * Every instance of an app computes the same key, which is what lets them share one token
 * through a shared store (e.g. `@grantflow/redis`).
 *
 * @example
 * ```ts
 * import { Providers, SessionKey } from "@grantflow/core"
 * const fuse = Providers.cryptofuse({ clientId: "app", clientSecret: "s" })
 * SessionKey.of(fuse, { scopes: ["write", "read"] }) // "cryptofuse:app:cc:read write"
 * SessionKey.of(fuse, { session: "user-42" })        // "cryptofuse:app:user:user-42"
 * const hopper = Providers.cryptohopper({ clientId: "app", clientSecret: "s" })
 * SessionKey.of(hopper, {})                           // "cryptohopper:app:default"
 * ```
 *
 * An authorization-code provider's client also has a default session: what `handleCallback(url)`
 * stores and `getAccessToken()` uses when no session is named (`<provider>:<client>:default`, apart
 * from every named session, so a user called "default" is not it).
 */
import * as Hash from "effect/Hash"
import { ConfigError } from "./Errors.js"
import type { Provider } from "./Provider.js"

/** Which session a token request is for. */
export interface SessionOptions {
  /**
   * A user's session key. Omitted: on a client-credentials provider the client's own token for
   * `scopes`; on an authorization-code provider the client's default session.
   */
  readonly session?: string | undefined
  /** Scopes of a client-credentials token (default: the provider's); ignored for user sessions. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

// `:` separates the parts; escaping it (and `%`) keeps an odd provider id or client id from
// producing another client's key.
const part = (s: string): string => (/[%:\s]/.test(s) ? encodeURIComponent(s) : s)

/** `<provider>:<client>`: the part every key of one client shares. */
export const prefix = (provider: Provider): string => `${part(provider.id)}:${part(provider.client.clientId)}`

/** Scopes as they appear in a key: de-duplicated and sorted, so `["b", "a"]` and `["a", "b", "a"]` share a token. */
export const normalizeScopes = (scopes: ReadonlyArray<string>): string =>
  [...new Set(scopes)].sort().map(part).join(" ")

/** The key of a client-credentials token for `scopes` (default: the provider's). */
export const clientCredentials = (
  provider: Provider,
  scopes: ReadonlyArray<string> = provider.defaultScopes,
): string => `${prefix(provider)}:cc:${normalizeScopes(scopes)}`

/** The key of a user's session. Throws ConfigError for an empty session key. */
export const user = (provider: Provider, session: string): string => {
  if (typeof session !== "string" || session.length === 0) {
    throw new ConfigError({ reason: "a session key must be a non-empty string" })
  }
  return `${prefix(provider)}:user:${session}`
}

/** The key of the default session of an authorization-code client (see the module doc). */
export const defaultSession = (provider: Provider): string => `${prefix(provider)}:default`

/**
 * The key for `options`: a user's session when `session` is given; else the client-credentials
 * token on a client-credentials provider, or the default session on an authorization-code one.
 */
export const of = (provider: Provider, options: SessionOptions = {}): string =>
  options.session !== undefined
    ? user(provider, options.session)
    : provider.grant === "client_credentials"
      ? clientCredentials(provider, options.scopes)
      : defaultSession(provider)

/**
 * A short, stable, non-reversible-at-a-glance label of a key for spans and logs: the key names a
 * user, which a trace should not spell out. Not a security boundary (32 bits).
 */
export const fingerprint = (key: string): string => (Hash.string(key) >>> 0).toString(16).padStart(8, "0")
