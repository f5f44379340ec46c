import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { ConfigError } from "../Errors.js"

/**
 * Turns a failed Exit into what a Promise user expects: the tagged error itself; an interruption
 * (nothing of ours interrupts a call but a dispose) as a typed ConfigError; a plain Error only for
 * a defect (a bug).
 */
export const squashExit = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isSome(error)) throw error.value
  if (Cause.hasInterruptsOnly(exit.cause)) {
    throw new ConfigError({ reason: "interrupted: the operation was interrupted before it completed" })
  }
  const defect = Cause.squash(exit.cause)
  throw defect instanceof Error ? defect : new Error(`grantflow: unexpected failure: ${String(defect)}`)
}

/** Runs a self-contained effect and rejects with its tagged error. */
export const runPromise = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromiseExit(effect).then(squashExit)
