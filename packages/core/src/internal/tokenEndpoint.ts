import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "../Errors.js"
import type { Provider } from "../Provider.js"
import type { TokenSet } from "../TokenSet.js"
import * as TokenRequest from "../TokenRequest.js"
import * as TokenResponse from "../TokenResponse.js"
import { HttpTransport, type RetrySafety } from "../Transport.js"
import { withOutcome } from "./spans.js"

/**
 * One grant at the token endpoint: build in the dialect, send with the grant's retry safety, decode.
 * The caller's span (`OAuth.clientCredentials`, `OAuth.refresh`, ...) gets the provider, the grant
 * and the outcome as attributes.
 */
export const requestTokens = (
  provider: Provider,
  params: ReadonlyArray<readonly [string, TokenRequest.ParamValue]>,
  retry: RetrySafety,
  previousRefreshToken?: Redacted.Redacted<string>,
): Effect.Effect<
  TokenSet,
  ConfigError | TransportError | InvalidResponse | OAuthServerError,
  HttpTransport
> => withOutcome(send(provider, params, retry, previousRefreshToken))

const send = Effect.fnUntraced(function* (
  provider: Provider,
  params: ReadonlyArray<readonly [string, TokenRequest.ParamValue]>,
  retry: RetrySafety,
  previousRefreshToken: Redacted.Redacted<string> | undefined,
): Effect.fn.Return<
  TokenSet,
  ConfigError | TransportError | InvalidResponse | OAuthServerError,
  HttpTransport
> {
  const grant = params.find(([name]) => name === "grant_type")?.[1]
  yield* Effect.annotateCurrentSpan({
    "oauth.provider": provider.id,
    "oauth.grant": typeof grant === "string" ? grant : "unknown",
  })
  const { request, knownSecrets } = yield* TokenRequest.build(provider, provider.endpoints.token, params)
  const transport = yield* HttpTransport
  // `expires_in` counts from when the server issued the token, which is after we sent the request:
  // counting from the send keeps `expiresAt` on the safe side however long the answer took to reach
  // us (a stalled event loop, a slow network), which matters for short-lived tokens.
  const sentAt = yield* Clock.currentTimeMillis
  const response = yield* transport.request({ ...request, retry })
  return yield* TokenResponse.decode(provider, response, { knownSecrets, previousRefreshToken, now: sentAt })
})
