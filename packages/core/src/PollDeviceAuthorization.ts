/**
 * The device access token request (RFC 8628 §3.4–3.5): polls the token endpoint with the device
 * code until the person approved or denied, at the server's interval. `authorization_pending`
 * polls again; `slow_down` adds 5 seconds to the interval for this and every later poll;
 * `access_denied` fails with AuthorizationError; an expired device code (the server's
 * `expired_token`, or `expiresAt` passing before an answer) fails with AuthorizationError
 * whose `error` is `"expired_token"`: both mean the person has to start a new login. Any other
 * token-endpoint error fails as it is (OAuthServerError). A poll that got no answer (timeout,
 * network error) is repeated with exponential backoff (§3.5), up to MAX_UNANSWERED_POLLS times in
 * a row; then its TransportError is the result.
 *
 * The waits go through Effect's Clock (a Schedule drives the polling), so a test moves them with
 * TestClock, and interrupting the fiber stops the polling.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * const tokens = OAuth.pollDeviceAuthorization(provider, grant).pipe(
 *   Effect.catchTag("AuthorizationError", (e) => Effect.fail(`login not completed: ${e.error}`)),
 * )
 * ```
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { DeviceAuthorization } from "./DeviceAuthorization.js"
import {
  AuthorizationError,
  ConfigError,
  type InvalidResponse,
  OAuthServerError,
  type TransportError,
} from "./Errors.js"
import type { Provider } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"
import type { HttpTransport } from "./Transport.js"
import { requestTokens } from "./internal/tokenEndpoint.js"

/** RFC 8628 §3.5: what a `slow_down` adds to the polling interval. */
export const SLOW_DOWN_STEP_MS = 5_000

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

/**
 * RFC 8628 §3.5: consecutive polls that got no answer (timeout, network error) are retried with
 * exponential backoff, this many times; then the TransportError is the result.
 */
export const MAX_UNANSWERED_POLLS = 3

/** No decision yet (or no answer to this poll); never leaves this module. */
class Pending extends Data.TaggedError("Pending")<{
  readonly reason: "authorization_pending" | "slow_down" | "unanswered"
  readonly answer: OAuthServerError | TransportError
}> {}

const expired = (description: string) =>
  new AuthorizationError({ error: "expired_token", description, uri: undefined })

/**
 * The waits between polls: the grant's interval, 5 s longer for good after each `slow_down`,
 * doubled per consecutive unanswered poll (up to MAX_UNANSWERED_POLLS of them), and no poll that
 * would start after the device code expired (the server could only answer `expired_token`).
 */
const pollingSchedule = (grant: DeviceAuthorization): Schedule.Schedule<number, unknown> =>
  Schedule.fromStep(
    Effect.sync(() => {
      let intervalMs = grant.intervalMs
      let unanswered = 0
      return (now: number, input: unknown) => {
        const reason = input instanceof Pending ? input.reason : undefined
        if (reason === "slow_down") intervalMs += SLOW_DOWN_STEP_MS
        unanswered = reason === "unanswered" ? unanswered + 1 : 0
        const delayMs = intervalMs * 2 ** unanswered
        return unanswered > MAX_UNANSWERED_POLLS || now + delayMs >= grant.expiresAt.getTime()
          ? Cause.done(delayMs)
          : Effect.succeed([delayMs, Duration.millis(delayMs)] as [number, Duration.Duration])
      }
    }),
  )

/** One device access token request, with the "not yet" answers and no answer turned into Pending. */
const pollOnce = (provider: Provider, grant: DeviceAuthorization) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    if (now >= grant.expiresAt.getTime()) {
      return yield* expired("the device code expired before the authorization was completed")
    }
    // `unseen-only`: once approved, the device code is spent by the first answer the server sends.
    return yield* requestTokens(
      provider,
      [
        ["grant_type", DEVICE_CODE_GRANT],
        ["device_code", grant.deviceCode],
      ],
      "unseen-only",
    )
  }).pipe(
    Effect.catchTag(
      "OAuthServerError",
      (e): Effect.Effect<never, Pending | AuthorizationError | OAuthServerError> => {
        switch (e.error) {
          case "authorization_pending":
          case "slow_down":
            return Effect.fail(new Pending({ reason: e.error, answer: e }))
          case "access_denied":
          case "expired_token":
            return Effect.fail(
              new AuthorizationError({ error: e.error, description: e.description, uri: e.uri }),
            )
          default:
            return Effect.fail(e)
        }
      },
    ),
    Effect.catchTag("TransportError", (e): Effect.Effect<never, Pending | TransportError> =>
      e.reason === "aborted" ? Effect.fail(e) : Effect.fail(new Pending({ reason: "unanswered", answer: e })),
    ),
  )

/** Polls until the person approved (the tokens), denied or let the code expire (AuthorizationError). */
export const pollDeviceAuthorization = Effect.fn("OAuth.pollDeviceAuthorization")(function* (
  provider: Provider,
  grant: DeviceAuthorization,
): Effect.fn.Return<
  TokenSet,
  AuthorizationError | ConfigError | TransportError | InvalidResponse | OAuthServerError,
  HttpTransport
> {
  yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.id, "oauth.grant": DEVICE_CODE_GRANT })
  // A grant rebuilt by hand (e.g. read back from a file) could otherwise poll in a busy loop.
  if (
    !(grant.intervalMs > 0) ||
    !Number.isFinite(grant.intervalMs) ||
    Number.isNaN(grant.expiresAt?.getTime())
  ) {
    return yield* new ConfigError({
      reason: "the device authorization needs a positive intervalMs and a valid expiresAt Date",
    })
  }
  // RFC 8628 §3.5: the client waits the interval before each request, the first one included.
  yield* Effect.sleep(Duration.millis(grant.intervalMs))
  return yield* pollOnce(provider, grant).pipe(
    Effect.retry({ schedule: pollingSchedule(grant), while: (e) => e._tag === "Pending" }),
    // The schedule stops at expiry, or after too many polls without an answer, with the last one in hand.
    Effect.catchTag("Pending", (last): Effect.Effect<never, TransportError | AuthorizationError> =>
      last.reason === "unanswered" && last.answer._tag === "TransportError"
        ? Effect.fail(last.answer)
        : Effect.fail(expired("the device code expired while the authorization was still pending")),
    ),
  )
})
