import * as Effect from "effect/Effect"
import { ConfigError, type InvalidResponse, type TransportError } from "../Errors.js"
import type { Endpoints, Provider } from "../Provider.js"
import * as TokenRequest from "../TokenRequest.js"
import { HttpTransport, type HttpResponse } from "../Transport.js"

/** The provider's endpoints, other than the token endpoint, that a client calls with its own credentials. */
type ClientEndpoint = "revocation" | "introspection" | "deviceAuthorization"

const names: Record<ClientEndpoint, string> = {
  revocation: "revocation",
  introspection: "introspection",
  deviceAuthorization: "device authorization",
}

/**
 * One POST to a client endpoint (RFC 7009 revocation, RFC 7662 introspection, RFC 8628 device
 * authorization): the client authenticates as at the token endpoint, in the dialect's way, and the
 * request is safe to repeat (revoking twice, asking twice, or an unanswered device code expiring
 * unused harm nobody). A provider without the endpoint fails with ConfigError.
 */
export const postWithClientAuth = Effect.fnUntraced(function* (
  provider: Provider,
  endpoint: ClientEndpoint,
  params: ReadonlyArray<readonly [string, TokenRequest.ParamValue]>,
): Effect.fn.Return<
  { readonly response: HttpResponse; readonly knownSecrets: ReadonlyArray<string> },
  ConfigError | TransportError | InvalidResponse,
  HttpTransport
> {
  const url: Endpoints[ClientEndpoint] = provider.endpoints[endpoint]
  if (url === undefined) {
    return yield* new ConfigError({ reason: `provider ${provider.id} has no ${names[endpoint]} endpoint` })
  }
  const { request, knownSecrets } = yield* TokenRequest.build(provider, url, params)
  const transport = yield* HttpTransport
  const response = yield* transport.request({ ...request, retry: "idempotent" })
  return { response, knownSecrets }
})
