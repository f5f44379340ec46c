import { describe, expect, it } from "vitest"
import { duration } from "../web/src/lib/format.js"

describe("the page's duration", () => {
  it("counts whole seconds down, so a 60 s token never reads as more than a minute", () => {
    expect(duration(60_000)).toBe("1 min 00 s")
    expect(duration(60_999)).toBe("1 min 00 s")
    expect(duration(59_400)).toBe("59 s")
    expect(duration(999)).toBe("0 s")
    expect(duration(-5)).toBe("0 s")
    expect(duration(125_000)).toBe("2 min 05 s")
    expect(duration(2 * 3_600_000 + 10 * 60_000)).toBe("2 h 10 min")
  })
})
