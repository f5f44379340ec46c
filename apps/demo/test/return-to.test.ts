import { describe, expect, it } from "vitest"
import { safeReturnTo } from "../src/auth/return-to.js"

describe("safeReturnTo", () => {
  it("keeps a same-origin path with its query and fragment", () => {
    expect(safeReturnTo("/")).toBe("/")
    expect(safeReturnTo("/api/status?x=1#top")).toBe("/api/status?x=1#top")
  })

  it("refuses absolute, protocol-relative, backslash and script URLs", () => {
    for (const evil of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "/\tevil",
      "evil.example",
      "",
      undefined,
      ["/"],
    ]) {
      expect(safeReturnTo(evil), String(evil)).toBeUndefined()
    }
  })
})
