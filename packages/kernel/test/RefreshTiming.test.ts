import { describe, expect, it } from "vitest"
import { refreshAt } from "../src/RefreshTiming.js"

describe("refresh point", () => {
  it("renews 60 s before expiry by default, at most half the lifetime before", () => {
    expect(refreshAt(1_000_000, 3_600_000)).toBe(940_000)
    expect(refreshAt(1_000_000, 60_000)).toBe(970_000)
    expect(refreshAt(1_000_000, undefined)).toBe(940_000)
  })

  it("shaves up to the jitter fraction of the skew off per instance", () => {
    expect(refreshAt(1_000_000, 3_600_000, { jitterFraction: 0.5 }, 0.5)).toBe(955_000)
  })

  it("never renews a token that does not expire", () => {
    expect(refreshAt(undefined, undefined)).toBe(Number.POSITIVE_INFINITY)
    expect(refreshAt(null, undefined)).toBe(Number.POSITIVE_INFINITY)
  })
})
