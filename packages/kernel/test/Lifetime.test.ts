import { describe, expect, it } from "vitest"
import { MAX_LIFETIME_SECONDS, lifetimeSeconds } from "../src/Lifetime.js"

describe("a stated lifetime", () => {
  it("reads numbers and numeric strings as seconds", () => {
    expect(lifetimeSeconds(3600)).toBe(3600)
    expect(lifetimeSeconds("3600")).toBe(3600)
  })

  it("clamps absurd lifetimes (some APIs' never) to one year", () => {
    expect(MAX_LIFETIME_SECONDS).toBe(365 * 24 * 3600)
    for (const stated of [1e13, 2 ** 63 - 1, "9223372036854775807", Number.POSITIVE_INFINITY])
      expect(lifetimeSeconds(stated)).toBe(MAX_LIFETIME_SECONDS)
  })

  it("reads zero, negative and missing lifetimes as unknown", () => {
    for (const stated of [0, -5, "-3600", Number.NEGATIVE_INFINITY, undefined, null, "", "soon"])
      expect(lifetimeSeconds(stated)).toBeUndefined()
  })
})
