/**
 * Builds a request to a token (or revocation) endpoint in the provider's dialect: a form or JSON
 * body, and client authentication by Basic header, in the body, or not at all.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { TokenRequest } from "@grantflow/core"
 * const { request } = Effect.runSync(TokenRequest.build(provider, provider.endpoints.token, [
 *   ["grant_type", "client_credentials"], ["scope", "read write"],
 * ]))
 * ```
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ConfigError } from "./Errors.js"
import type { Provider } from "./Provider.js"
import type { HttpRequest } from "./Transport.js"
import { basicAuthorization, formBody } from "./internal/encoding.js"

/** A parameter value; secrets stay Redacted until the body is serialised. */
export type ParamValue = string | Redacted.Redacted<string> | undefined

export interface BuiltTokenRequest {
  readonly request: HttpRequest
  /** The secret values that went into the request, so echoes of them can be scrubbed from errors. */
  readonly knownSecrets: ReadonlyArray<string>
}

// A client's Basic header, computed on its first request (it is the same for every request),
// keyed by the Redacted secret object so that new credentials get a new header.
const basicHeaders = new WeakMap<
  Redacted.Redacted<string>,
  { readonly id: string; readonly encoding: BasicAuthEncoding; readonly header: Redacted.Redacted<string> }
>()

type BasicAuthEncoding = NonNullable<Provider["dialect"]["basicAuthEncoding"]>

const basicHeaderOf = (clientId: string, secret: Redacted.Redacted<string>, encoding: BasicAuthEncoding): string => {
  const cached = basicHeaders.get(secret)
  if (cached !== undefined && cached.id === clientId && cached.encoding === encoding) {
    return Redacted.value(cached.header)
  }
  const header = basicAuthorization(clientId, Redacted.value(secret), encoding)
  basicHeaders.set(secret, { id: clientId, encoding, header: Redacted.make(header) })
  return header
}

/** Builds the request; fails with ConfigError when the dialect needs a client secret that is not configured. */
export const build = (
  provider: Provider,
  endpoint: string,
  params: ReadonlyArray<readonly [string, ParamValue]>,
): Effect.Effect<BuiltTokenRequest, ConfigError> =>
  Effect.suspend(() => {
    const { dialect, client } = provider
    const knownSecrets: Array<string> = []
    const reveal = (v: ParamValue): string | undefined => {
      if (v === undefined) return undefined
      if (Redacted.isRedacted(v)) {
        const value = Redacted.value(v)
        knownSecrets.push(value)
        return value
      }
      return v
    }
    const fields: Array<readonly [string, string]> = []
    for (const [key, value] of params) {
      const plain = reveal(value)
      if (plain !== undefined) fields.push([key, plain])
    }
    const headers: Record<string, string> = { accept: "application/json" }
    switch (dialect.clientAuth) {
      case "client_secret_basic": {
        const secret = client.clientSecret
        if (secret === undefined) {
          return Effect.fail(new ConfigError({ reason: "client_secret_basic needs a clientSecret" }))
        }
        const encoding = dialect.basicAuthEncoding ?? "form-urlencoded"
        // RFC 7617: the first colon ends the user-id, so a raw id cannot hold one.
        if (encoding === "raw" && client.clientId.includes(":")) {
          return Effect.fail(
            new ConfigError({ reason: 'basicAuthEncoding "raw" cannot send a client id that contains ":"' }),
          )
        }
        reveal(secret) // listed among the known secrets, so that an echo of it is scrubbed
        const authorization = basicHeaderOf(client.clientId, secret, encoding)
        headers["authorization"] = authorization
        // A server (or a proxy's error page) may echo the header itself.
        knownSecrets.push(authorization.slice("Basic ".length))
        break
      }
      case "client_secret_post": {
        const secret = reveal(client.clientSecret)
        if (secret === undefined) {
          return Effect.fail(new ConfigError({ reason: "client_secret_post needs a clientSecret" }))
        }
        fields.push(["client_id", client.clientId], ["client_secret", secret])
        break
      }
      case "none":
        fields.push(["client_id", client.clientId])
        break
    }
    let body: string
    if (dialect.tokenRequestBody === "json") {
      headers["content-type"] = "application/json"
      body = JSON.stringify(Object.fromEntries(fields))
    } else {
      headers["content-type"] = "application/x-www-form-urlencoded"
      body = formBody(fields)
    }
    return Effect.succeed({ request: { method: "POST", url: endpoint, headers, body }, knownSecrets })
  })

/** Joins scopes with the dialect's delimiter; undefined when there are none (the parameter is then omitted). */
export const joinScopes = (provider: Provider, scopes: ReadonlyArray<string> | undefined): string | undefined =>
  scopes === undefined || scopes.length === 0 ? undefined : scopes.join(provider.dialect.scopeDelimiter)
