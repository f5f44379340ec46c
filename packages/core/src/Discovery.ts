/**
 * Builds a Provider from an issuer's metadata: RFC 8414 `/.well-known/oauth-authorization-server`
 * first, then OpenID Connect `/.well-known/openid-configuration`. The metadata's `issuer` must be
 * identical to the one asked for (RFC 8414 §3.3); client authentication and PKCE are chosen from
 * what the server says it supports.
 *
 * @example
 * ```ts
 * import { Providers } from "@grantflow/core"
 * const idp = await Providers.discover("https://idp.example", { clientId, clientSecret, redirectUri })
 * ```
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { type Dialect, rfc6749 } from "./Dialect.js"
import { ConfigError, InvalidResponse, type TransportError } from "./Errors.js"
import type { SecretInput } from "./internal/secrets.js"
import type { Provider } from "./Provider.js"
import { type HttpResponse, HttpTransport } from "./Transport.js"
import { makeProvider } from "./internal/makeProvider.js"
import { excerpt } from "./internal/redact.js"
import { validateUrl } from "./internal/validateUrl.js"

export interface DiscoverOptions {
  readonly clientId: string
  readonly clientSecret?: SecretInput | undefined
  readonly redirectUri?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly grant?: Provider["grant"] | undefined
  /** Base URL for `client.fetch` with relative paths. */
  readonly apiBase?: string | undefined
  /** Overrides what discovery chose. */
  readonly dialect?: Partial<Dialect> | undefined
  readonly id?: string | undefined
  readonly allowInsecureHttp?: boolean | undefined
}

const Urls = Schema.optional(Schema.Array(Schema.String))

/** The RFC 8414 fields grantflow reads. */
const Metadata = Schema.Struct({
  issuer: Schema.NonEmptyString,
  authorization_endpoint: Schema.optional(Schema.String),
  token_endpoint: Schema.NonEmptyString,
  revocation_endpoint: Schema.optional(Schema.String),
  device_authorization_endpoint: Schema.optional(Schema.String),
  introspection_endpoint: Schema.optional(Schema.String),
  token_endpoint_auth_methods_supported: Urls,
  code_challenge_methods_supported: Urls,
  authorization_response_iss_parameter_supported: Schema.optional(Schema.Boolean),
})
type Metadata = typeof Metadata.Type
const decodeMetadata = Schema.decodeUnknownResult(Metadata)

/** The two metadata locations for an issuer, RFC 8414's first. */
export const metadataUrls = (issuer: string): ReadonlyArray<string> => {
  const url = new URL(issuer)
  const path = url.pathname.replace(/\/+$/, "")
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ]
}

const invalid = (response: HttpResponse, reason: string) =>
  new InvalidResponse({
    status: response.status,
    contentType: response.headers["content-type"],
    reason,
    excerpt: excerpt(response.body),
  })

const parseMetadata = (response: HttpResponse): Result.Result<Metadata, InvalidResponse> => {
  if (response.status !== 200) return Result.fail(invalid(response, `metadata request answered HTTP ${response.status}`))
  let json: unknown
  try {
    json = JSON.parse(response.body)
  } catch {
    return Result.fail(invalid(response, "metadata is not valid JSON"))
  }
  const decoded = decodeMetadata(json)
  return Result.isSuccess(decoded)
    ? Result.succeed(decoded.success)
    : Result.fail(invalid(response, "metadata lacks issuer or token_endpoint, or has fields of the wrong type"))
}

const chooseClientAuth = (metadata: Metadata, hasSecret: boolean): Dialect["clientAuth"] => {
  if (!hasSecret) return "none"
  // RFC 8414 §2: absent means client_secret_basic.
  const methods = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"]
  if (methods.includes("client_secret_basic")) return "client_secret_basic"
  if (methods.includes("client_secret_post")) return "client_secret_post"
  throw new ConfigError({
    reason: `the server supports none of client_secret_basic, client_secret_post (it lists: ${methods.join(", ")})`,
  })
}

const choosePkce = (metadata: Metadata): Dialect["pkce"] => {
  const methods = metadata.code_challenge_methods_supported
  // Unlisted: send S256 anyway; a server without PKCE ignores the parameters.
  if (methods === undefined || methods.includes("S256")) return "S256"
  return methods.includes("plain") ? "plain" : "none"
}

/** Fetches and validates the issuer's metadata and builds a Provider from it. */
export const discover = Effect.fn("OAuth.discover")(function* (
  issuer: string,
  options: DiscoverOptions,
): Effect.fn.Return<Provider, ConfigError | TransportError | InvalidResponse, HttpTransport> {
  yield* Effect.try({
    try: () => validateUrl("issuer", issuer, { allowInsecureHttp: options.allowInsecureHttp }),
    catch: (e) => (e instanceof ConfigError ? e : new ConfigError({ reason: "issuer is invalid" })),
  })
  if (new URL(issuer).search !== "") return yield* new ConfigError({ reason: "issuer must not have a query" })
  const transport = yield* HttpTransport
  let failure: InvalidResponse | undefined
  for (const url of metadataUrls(issuer)) {
    const response = yield* transport.request({
      method: "GET",
      url,
      headers: { accept: "application/json" },
      retry: "idempotent",
    })
    const parsed = parseMetadata(response)
    if (Result.isFailure(parsed)) {
      failure = parsed.failure
      continue
    }
    const metadata = parsed.success
    if (metadata.issuer !== issuer) {
      return yield* invalid(
        response,
        "the metadata names a different issuer than the one requested (RFC 8414 §3.3); check the issuer URL, including any trailing slash",
      )
    }
    return yield* Effect.try({
      try: () =>
        makeProvider({
          id: options.id ?? new URL(issuer).host,
          endpoints: {
            authorization: metadata.authorization_endpoint,
            token: metadata.token_endpoint,
            revocation: metadata.revocation_endpoint,
            deviceAuthorization: metadata.device_authorization_endpoint,
            introspection: metadata.introspection_endpoint,
            api: options.apiBase,
            issuer,
          },
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          redirectUri: options.redirectUri,
          dialect: {
            ...rfc6749,
            clientAuth: chooseClientAuth(metadata, options.clientSecret !== undefined),
            pkce: choosePkce(metadata),
            requireIssInCallback: metadata.authorization_response_iss_parameter_supported === true,
            ...options.dialect,
          },
          grant: options.grant ?? (options.redirectUri !== undefined ? "authorization_code" : "client_credentials"),
          defaultScopes: options.scopes,
          allowInsecureHttp: options.allowInsecureHttp,
        }),
      catch: (e) => (e instanceof ConfigError ? e : new ConfigError({ reason: "discovered metadata is unusable" })),
    })
  }
  return yield* failure!
})
