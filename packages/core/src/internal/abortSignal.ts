import * as Effect from "effect/Effect"
import { TransportError } from "../Errors.js"

/**
 * Runs `effect` until it ends or `signal` aborts, whichever comes first; an abort interrupts it
 * (closing any request in flight) and fails with TransportError `aborted`, so a Promise caller
 * gets a tagged error rather than a bare interruption.
 */
export const abortable = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  signal: AbortSignal | undefined,
  request: string,
): Effect.Effect<A, E | TransportError, R> => {
  if (signal === undefined) return effect
  const aborted = Effect.callback<never, TransportError>((resume) => {
    const onAbort = () =>
      resume(
        Effect.fail(
          new TransportError({ reason: "aborted", request, detail: "the caller's AbortSignal fired" }),
        ),
      )
    if (signal.aborted) {
      onAbort()
      return
    }
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })
  return Effect.raceFirst(effect, aborted)
}
