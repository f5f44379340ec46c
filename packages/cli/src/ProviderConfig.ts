/**
 * Which provider a command talks to, from its name, the flags and the environment:
 *
 * - `cryptohopper`: `CRYPTOHOPPER_CLIENT_ID`, `CRYPTOHOPPER_CLIENT_SECRET`, `CRYPTOHOPPER_REDIRECT_URI`
 *   (as the demo names them; default redirect `http://localhost/`, the one Cryptohopper documents).
 * - `cryptofuse`: `CRYPTOFUSE_CLIENT_ID`, `CRYPTOFUSE_CLIENT_SECRET`, `CRYPTOFUSE_BASE_URL`.
 * - any other name: a provider found by discovery from `--issuer` or `<NAME>_ISSUER`, with
 *   `<NAME>_CLIENT_ID` / `_CLIENT_SECRET` / `_REDIRECT_URI` (or the flags).
 * - `GRANTFLOW_SANDBOX_URL`: both seed providers point at a running `@grantflow/sandbox`, with its
 *   built-in clients unless the variables above name others.
 *
 * Flags win over the environment. Secrets are wrapped in `Redacted` as soon as they are read.
 */
import type { Provider } from "@grantflow/core"
import * as Redacted from "effect/Redacted"
import { UsageError } from "./UsageError.js"

type Env = Readonly<Record<string, string | undefined>>
type Flags = Readonly<Record<string, string | boolean | undefined>>

/** The sandbox's built-in clients (see @grantflow/sandbox's DEFAULT_CLIENTS). */
export const SANDBOX_CLIENTS = {
  cryptohopper: {
    clientId: "hopper-app",
    clientSecret: "hopper-secret",
    redirectUri: "http://127.0.0.1/callback",
  },
  cryptofuse: { clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars" },
} as const

export interface ProviderConfig {
  /** The name the user typed, lower case. */
  readonly name: string
  /** Builds the core Provider (discovery for issuer providers: a network call). */
  readonly build: () => Promise<Provider>
  /** Where the loopback listener listens and what the browser comes back to. */
  readonly redirectUri: string | undefined
  /** The provider accepts any port on a loopback IP redirect URI (RFC 8252 §7.3), so a free one is used when the URI names none. */
  readonly anyLoopbackPort: boolean
  /** Scopes asked for when the command line names none. */
  readonly defaultScopes: ReadonlyArray<string> | undefined
  /** The environment variable that holds the client secret, for error messages. */
  readonly secretVariable: string
}

const nonEmpty = (v: string | boolean | undefined): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined

const variablePrefix = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, "_")

/** `read,trade` or `read trade` -> ["read", "trade"]. */
export const parseScopes = (value: string | boolean | undefined): ReadonlyArray<string> | undefined => {
  const s = nonEmpty(value)
  return s === undefined ? undefined : s.split(/[\s,]+/).filter((x) => x !== "")
}

const sandboxBase = (env: Env): string | undefined => {
  const url = nonEmpty(env["GRANTFLOW_SANDBOX_URL"])
  if (url === undefined) return undefined
  if (!URL.canParse(url)) throw new UsageError(`GRANTFLOW_SANDBOX_URL is not a URL`)
  return url.replace(/\/+$/, "")
}

const required = (value: string | undefined, what: string, variable: string, flag: string): string => {
  if (value === undefined) {
    throw new UsageError(
      `${what} is not configured: set ${variable} or pass ${flag} (or GRANTFLOW_SANDBOX_URL to use a sandbox)`,
    )
  }
  return value
}

/** Resolves the provider named `name`. Throws UsageError when something is missing. */
export const resolve = (rawName: string, flags: Flags, env: Env): ProviderConfig => {
  const name = rawName.toLowerCase()
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new UsageError(`"${rawName}" is not a provider name`)
  const prefix = variablePrefix(name)
  const pick = (flag: string, variable: string) =>
    nonEmpty(flags[flag]) ?? nonEmpty(env[`${prefix}_${variable}`])
  const sandbox = name === "cryptohopper" || name === "cryptofuse" ? sandboxBase(env) : undefined
  const issuer = pick("issuer", "ISSUER")

  if (name === "cryptohopper" && issuer === undefined) {
    const clientId = pick("client-id", "CLIENT_ID") ?? (sandbox && SANDBOX_CLIENTS.cryptohopper.clientId)
    const secret =
      pick("client-secret", "CLIENT_SECRET") ?? (sandbox && SANDBOX_CLIENTS.cryptohopper.clientSecret)
    const redirectUri =
      pick("redirect-uri", "REDIRECT_URI") ??
      (sandbox ? SANDBOX_CLIENTS.cryptohopper.redirectUri : "http://localhost/")
    return {
      name,
      redirectUri,
      // The sandbox follows RFC 8252 §7.3; whether Cryptohopper does is unknown, so its URI is used as given.
      anyLoopbackPort: sandbox !== undefined,
      defaultScopes: ["read"],
      secretVariable: "CRYPTOHOPPER_CLIENT_SECRET",
      build: async () => {
        const { Providers } = await import("@grantflow/core")
        return Providers.cryptohopper({
          clientId: required(clientId, "the Cryptohopper client id", "CRYPTOHOPPER_CLIENT_ID", "--client-id"),
          clientSecret: Redacted.make(
            required(
              secret,
              "the Cryptohopper client secret",
              "CRYPTOHOPPER_CLIENT_SECRET",
              "--client-secret",
            ),
          ),
          redirectUri,
          endpoints:
            sandbox === undefined
              ? undefined
              : {
                  authorization: `${sandbox}/cryptohopper/oauth2/authorize`,
                  token: `${sandbox}/cryptohopper/oauth2/token`,
                  revocation: `${sandbox}/cryptohopper/oauth2/revoke`,
                  api: `${sandbox}/cryptohopper/v1`,
                },
          allowInsecureHttp: sandbox !== undefined,
        })
      },
    }
  }

  if (name === "cryptofuse" && issuer === undefined) {
    const clientId = pick("client-id", "CLIENT_ID") ?? (sandbox && SANDBOX_CLIENTS.cryptofuse.clientId)
    const secret =
      pick("client-secret", "CLIENT_SECRET") ?? (sandbox && SANDBOX_CLIENTS.cryptofuse.clientSecret)
    const baseUrl = nonEmpty(env["CRYPTOFUSE_BASE_URL"]) ?? (sandbox && `${sandbox}/cryptofuse`)
    return {
      name,
      redirectUri: undefined,
      anyLoopbackPort: false,
      defaultScopes: undefined,
      secretVariable: "CRYPTOFUSE_CLIENT_SECRET",
      build: async () => {
        const { Providers } = await import("@grantflow/core")
        return Providers.cryptofuse({
          clientId: required(clientId, "the Cryptofuse client id", "CRYPTOFUSE_CLIENT_ID", "--client-id"),
          clientSecret: Redacted.make(
            required(secret, "the Cryptofuse client secret", "CRYPTOFUSE_CLIENT_SECRET", "--client-secret"),
          ),
          baseUrl,
          allowInsecureHttp: sandbox !== undefined,
        })
      },
    }
  }

  if (issuer === undefined) {
    throw new UsageError(
      `unknown provider "${rawName}": use cryptohopper, cryptofuse, or pass --issuer <url> (or set ${prefix}_ISSUER)`,
    )
  }
  const clientId = pick("client-id", "CLIENT_ID")
  const secret = pick("client-secret", "CLIENT_SECRET")
  const redirectUri = pick("redirect-uri", "REDIRECT_URI") ?? "http://127.0.0.1/callback"
  const grant = nonEmpty(flags["grant"])
  if (grant !== undefined && grant !== "client_credentials" && grant !== "authorization_code") {
    throw new UsageError(`--grant must be authorization_code or client_credentials`)
  }
  return {
    name,
    redirectUri,
    // RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at the time of
    // the request for loopback IP redirect URIs".
    anyLoopbackPort: true,
    defaultScopes: undefined,
    secretVariable: `${prefix}_CLIENT_SECRET`,
    build: async () => {
      const { Providers } = await import("@grantflow/core")
      return Providers.discover(issuer, {
        id: name,
        clientId: required(clientId, `the client id of ${name}`, `${prefix}_CLIENT_ID`, "--client-id"),
        clientSecret: secret === undefined ? undefined : Redacted.make(secret),
        redirectUri,
        grant: grant ?? "authorization_code",
        apiBase: issuer,
        allowInsecureHttp: isLoopbackUrl(issuer),
      })
    },
  }
}

/** http(s) on 127.0.0.1, [::1] or localhost. */
export const isLoopbackUrl = (url: string): boolean => {
  if (!URL.canParse(url)) return false
  const host = new URL(url).hostname
  return host === "127.0.0.1" || host === "[::1]" || host === "localhost"
}
