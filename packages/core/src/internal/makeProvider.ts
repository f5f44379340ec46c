import type { Dialect } from "../Dialect.js"
import { ConfigError } from "../Errors.js"
import type { Endpoints, Provider } from "../Provider.js"
import { type SecretInput, toRedactedOrUndefined } from "./secrets.js"
import { requireNonEmpty, validateUrl } from "./validateUrl.js"

export interface ProviderInput {
  readonly id: string
  readonly endpoints: Endpoints
  readonly clientId: string
  readonly clientSecret?: SecretInput | undefined
  readonly redirectUri?: string | undefined
  readonly dialect: Dialect
  readonly grant: Provider["grant"]
  readonly defaultScopes?: ReadonlyArray<string> | undefined
  readonly allowInsecureHttp?: boolean | undefined
}

/** Validates everything a preset was given and freezes it into a Provider; throws ConfigError. */
export const makeProvider = (input: ProviderInput): Provider => {
  const rules = { allowInsecureHttp: input.allowInsecureHttp }
  const clientId = requireNonEmpty("clientId", input.clientId)
  const endpoints: Endpoints = {
    authorization: validateUrl("authorization endpoint", input.endpoints.authorization, rules),
    token: validateUrl("token endpoint", requireNonEmpty("token endpoint", input.endpoints.token), rules)!,
    revocation: validateUrl("revocation endpoint", input.endpoints.revocation, rules),
    deviceAuthorization: validateUrl(
      "device authorization endpoint",
      input.endpoints.deviceAuthorization,
      rules,
    ),
    introspection: validateUrl("introspection endpoint", input.endpoints.introspection, rules),
    api: validateUrl("api base", input.endpoints.api, rules),
    issuer: validateUrl("issuer", input.endpoints.issuer, rules),
  }
  const redirectUri = validateUrl("redirectUri", input.redirectUri, { ...rules, allowCustomScheme: true })
  const clientSecret = toRedactedOrUndefined(input.clientSecret)
  if (clientSecret === undefined && input.dialect.clientAuth !== "none") {
    throw new ConfigError({ reason: `clientSecret is required for ${input.dialect.clientAuth} client authentication` })
  }
  for (const scope of input.defaultScopes ?? []) {
    if (typeof scope !== "string" || scope.length === 0 || /[\s,]/.test(scope)) {
      throw new ConfigError({ reason: "scopes must be non-empty strings without spaces or commas" })
    }
  }
  return Object.freeze({
    id: input.id,
    endpoints: Object.freeze(endpoints),
    client: Object.freeze({ clientId, clientSecret, redirectUri }),
    dialect: Object.freeze({ ...input.dialect }),
    grant: input.grant,
    defaultScopes: Object.freeze([...(input.defaultScopes ?? [])]),
  })
}
