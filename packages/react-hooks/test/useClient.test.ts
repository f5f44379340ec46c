// @vitest-environment node
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

describe("the published entry", () => {
  it('starts with the "use client" directive, so Next.js App Router server trees treat it as client code', () => {
    // dist is what users install; turbo builds it before the tests run.
    const entry = readFileSync(new URL("../dist/index.js", import.meta.url), "utf8")
    expect(entry.split("\n", 1)[0]).toMatch(/^["']use client["'];?$/)
  })
})
