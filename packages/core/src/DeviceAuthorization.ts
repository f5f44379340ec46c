/**
 * The device authorization request (RFC 8628 §3.1–3.2): the first step of a login on a device
 * without a browser (a CLI, a bot). The server hands out a device code (kept Redacted: it is
 * what the tokens are fetched with) and a short user code that the person enters at
 * `verificationUri`, or opens `verificationUriComplete` directly. Then `pollDeviceAuthorization`
 * waits for their decision.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * const program = Effect.gen(function* () {
 *   const grant = yield* OAuth.deviceAuthorization(provider, { scopes: ["openid", "offline_access"] })
 *   console.log(`Open ${grant.verificationUri} and enter ${grant.userCode}`)
 *   return yield* OAuth.pollDeviceAuthorization(provider, grant)
 * })
 * ```
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { Provider } from "./Provider.js"
import * as TokenRequest from "./TokenRequest.js"
import * as TokenResponse from "./TokenResponse.js"
import type { HttpTransport } from "./Transport.js"
import { postWithClientAuth } from "./internal/clientAuthenticatedPost.js"

export interface DeviceAuthorizationOptions {
  /** Scopes to ask for (default: the provider's `scopes`); omitted from the request when empty. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/** What the server answered to a device authorization request; hand it to `pollDeviceAuthorization`. */
export interface DeviceAuthorization {
  /** The code the tokens are polled with; never shown to the person. */
  readonly deviceCode: Redacted.Redacted<string>
  /** The code the person types at `verificationUri`. */
  readonly userCode: string
  readonly verificationUri: string
  /** `verificationUri` with the user code in it (for a link or a QR code), when the server gives one. */
  readonly verificationUriComplete?: string | undefined
  /** When the device code (and with it this login attempt) expires. */
  readonly expiresAt: Date
  /** How long to wait between polls (`interval`, default 5 s as RFC 8628 §3.2 says). */
  readonly intervalMs: number
}

/** RFC 8628 §3.2: the default polling interval when the server names none. */
export const DEFAULT_INTERVAL_MS = 5_000

const Seconds = Schema.Union([Schema.Finite, Schema.FiniteFromString])

/** The fields of RFC 8628 §3.2 grantflow reads; every other field is ignored. */
const DeviceAuthorizationWire = Schema.Struct({
  device_code: Schema.NonEmptyString,
  user_code: Schema.NonEmptyString,
  verification_uri: Schema.optional(Schema.NonEmptyString),
  // Google's device endpoint spelled it `verification_url` (draft spelling); the same thing.
  verification_url: Schema.optional(Schema.NonEmptyString),
  verification_uri_complete: Schema.optional(Schema.NullOr(Schema.String)),
  expires_in: Seconds,
  interval: Schema.optional(Schema.NullOr(Seconds)),
})
const decodeWire = Schema.decodeUnknownResult(DeviceAuthorizationWire)

const isHttpUrl = (value: string): boolean => {
  try {
    const { protocol } = new URL(value)
    return protocol === "https:" || protocol === "http:"
  } catch {
    return false
  }
}

/** Asks the provider's device authorization endpoint for a device code and a user code. */
export const deviceAuthorization = Effect.fn("OAuth.deviceAuthorization")(function* (
  provider: Provider,
  options: DeviceAuthorizationOptions = {},
): Effect.fn.Return<
  DeviceAuthorization,
  ConfigError | TransportError | InvalidResponse | OAuthServerError,
  HttpTransport
> {
  yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.id })
  // RFC 8628 §3.1: the client authenticates as at the token endpoint (a public client sends its client_id).
  const { response, knownSecrets } = yield* postWithClientAuth(provider, "deviceAuthorization", [
    ["scope", TokenRequest.joinScopes(provider, options.scopes ?? provider.defaultScopes)],
  ])
  const now = yield* Clock.currentTimeMillis
  const value = yield* TokenResponse.decodeObject(response, { knownSecrets })
  const deviceCode = value["device_code"]
  // The device code is the secret of this answer: scrubbed from anything an error repeats.
  const ctx = { knownSecrets: typeof deviceCode === "string" ? [...knownSecrets, deviceCode] : knownSecrets }
  const decoded = decodeWire(value)
  if (Result.isFailure(decoded)) {
    return yield* TokenResponse.invalidAnswer(
      response,
      "device authorization answer lacks device_code, user_code or expires_in, or has fields of the wrong type",
      ctx,
    )
  }
  const wire = decoded.success
  const verificationUri = wire.verification_uri ?? wire.verification_url
  if (verificationUri === undefined || !isHttpUrl(verificationUri)) {
    return yield* TokenResponse.invalidAnswer(
      response,
      "device authorization answer has no usable verification_uri",
      ctx,
    )
  }
  if (wire.expires_in <= 0) {
    return yield* TokenResponse.invalidAnswer(
      response,
      "device authorization answer has a non-positive expires_in",
      ctx,
    )
  }
  const complete = wire.verification_uri_complete
  const interval = wire.interval
  return {
    deviceCode: Redacted.make(wire.device_code),
    userCode: wire.user_code,
    verificationUri,
    verificationUriComplete:
      complete !== undefined && complete !== null && isHttpUrl(complete) ? complete : undefined,
    expiresAt: new Date(now + wire.expires_in * 1000),
    // A zero or negative interval would poll in a busy loop: the RFC default applies instead.
    intervalMs:
      interval === undefined || interval === null || interval <= 0 ? DEFAULT_INTERVAL_MS : interval * 1000,
  }
})
