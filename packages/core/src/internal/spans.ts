import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as References from "effect/References"

/**
 * How an operation ended, as a span attribute: `success`, the error's tag (with the RFC 6749 code
 * for OAuthServerError, the reason for LoginRequired), `interrupted` or `defect`. Built only from
 * tags and codes: never from messages or values that could carry a secret.
 */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isSome(error)) {
    const e = error.value as { readonly _tag?: unknown; readonly error?: unknown; readonly reason?: unknown }
    const tag = typeof e._tag === "string" ? e._tag : "error"
    if (tag === "OAuthServerError" && typeof e.error === "string") return `${tag}:${e.error}`
    if (tag === "LoginRequired" && typeof e.reason === "string") return `${tag}:${e.reason}`
    return tag
  }
  return Cause.hasInterruptsOnly(exit.cause) ? "interrupted" : "defect"
}

/** Records `oauth.outcome` on the current span when `self` ends. */
export const withOutcome = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.onExit(self, (exit) => Effect.annotateCurrentSpan("oauth.outcome", outcomeOf(exit)))

/**
 * `wrap` (a span, an outcome attribute) when tracing is on, else `self` as it is. A span is not
 * free even when nobody records it: Effect provides it to the fiber as the parent span, which
 * updates the fiber's context. The Promise client turns tracing off when it was given no tracer.
 */
export const whenTracing =
  (wrap: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiber((fiber) => (fiber.getRef(References.TracerEnabled) ? wrap(self) : self))
