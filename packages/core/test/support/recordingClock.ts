/**
 * A TestClock that also tells the test whenever the code under test starts to wait, and for how
 * long: the test then knows when to move time (a real HTTP answer can arrive at any moment), and
 * can check the waits themselves.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { HttpTransport } from "../../src/index.js"

/** Needs a Scope (the TestClock's); provide `clock` as `Clock.Clock` to the code under test. */
export const recordingClock = Effect.gen(function* () {
  const clock = yield* TestClock.make()
  const sleeps: number[] = []
  const waiters: Array<() => void> = []
  const recorded: Clock.Clock = {
    ...clock,
    sleep: (duration) =>
      Effect.suspend(() => {
        sleeps.push(Duration.toMillis(duration))
        for (const wake of waiters.splice(0)) wake()
        return clock.sleep(duration)
      }),
  }
  /** Resolves once the code under test has started its `n`-th wait. */
  const waitForSleep = (n: number): Effect.Effect<void> =>
    Effect.promise(
      () =>
        new Promise<void>((resolve) => {
          const check = () => (sleeps.length >= n ? resolve() : waiters.push(check))
          check()
        }),
    )
  return { clock: recorded, adjust: clock.adjust, sleeps, waitForSleep }
})

export type RecordingClock = Effect.Success<typeof recordingClock>

/** Runs `program` with a recording TestClock and the real HTTP transport (5 s timeout). */
export const withRecordingClock = <A, E>(
  program: (t: RecordingClock) => Effect.Effect<A, E, HttpTransport>,
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const t = yield* recordingClock
        return yield* program(t).pipe(
          Effect.provideService(Clock.Clock, t.clock),
          Effect.provideService(HttpTransport, HttpTransport.make({ timeoutMs: 5_000 })),
        )
      }),
    ),
  )
