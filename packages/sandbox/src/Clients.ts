import type { ProviderName } from "./Provider.js"

/** An OAuth client registered with the sandbox. */
export interface SandboxClient {
  readonly provider: ProviderName
  readonly clientId: string
  readonly clientSecret: string
  /** Exact-match redirect URIs (Cryptohopper). The first one is used when a request names none. */
  readonly redirectUris: ReadonlyArray<string>
  /** Scopes this client may be granted. */
  readonly scopes: ReadonlyArray<string>
  /** Shown on the consent page; defaults to the client id. */
  readonly name?: string
  /** Scopes granted when a Cryptofuse token request names none; defaults to the client's `read` and `write`. */
  readonly defaultScopes?: ReadonlyArray<string>
}

/** The fields of a registered client that can change at runtime. */
export type SandboxClientUpdate = Partial<Omit<SandboxClient, "provider" | "clientId">>

/**
 * The clients a sandbox starts with when no `clients` option is given. The Cryptofuse secret
 * holds `/` and `+` so that clients which forget to form-urlencode Basic credentials
 * (RFC 6749 §2.3.1) fail against the sandbox as they would against django-oauth-toolkit.
 */
export const DEFAULT_CLIENTS: ReadonlyArray<SandboxClient> = Object.freeze([
  Object.freeze({
    provider: "cryptohopper",
    clientId: "hopper-app",
    clientSecret: "hopper-secret",
    name: "Hopper App",
    redirectUris: Object.freeze([
      "http://127.0.0.1/callback",
      "http://localhost:3000/auth/cryptohopper/callback",
    ]),
    scopes: Object.freeze(["read", "notifications", "manage", "trade", "user"]),
  }),
  Object.freeze({
    provider: "cryptofuse",
    clientId: "fuse-client",
    clientSecret: "fuse-secret-with/special+chars",
    name: "Fuse Client",
    redirectUris: Object.freeze([]),
    scopes: Object.freeze(["read", "write", "admin"]),
  }),
] satisfies ReadonlyArray<SandboxClient>)
