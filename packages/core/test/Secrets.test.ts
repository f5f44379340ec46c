import { inspect } from "node:util"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { encodeTokenSet, decodeTokenSet, type TokenSet } from "../src/index.js"

const tokens: TokenSet = {
  accessToken: Redacted.make("AT-secret-value"),
  tokenType: "Bearer",
  expiresAt: new Date(0),
  refreshToken: Redacted.make("RT-secret-value"),
  scopes: ["read"],
  idToken: Redacted.make("ID-secret-value"),
  raw: { token_type: "Bearer" },
}

describe("secrets in token sets", () => {
  it("prints Redacted values as <redacted> through String, JSON and inspect", () => {
    const secret = Redacted.make("hunter2")
    expect(String(secret)).toBe("<redacted>")
    expect(JSON.stringify({ secret })).toBe('{"secret":"<redacted>"}')
    expect(inspect(secret)).not.toContain("hunter2")
  })

  it("shows no secret when a TokenSet is stringified or inspected", () => {
    for (const out of [JSON.stringify(tokens), inspect(tokens, { depth: 10 }), String(tokens.accessToken)]) {
      expect(out).not.toMatch(/secret-value/)
    }
  })

  it("round-trips a TokenSet through the storage encoding", () => {
    const back = decodeTokenSet(encodeTokenSet(tokens))
    expect(Redacted.value(back.accessToken)).toBe("AT-secret-value")
    expect(Redacted.value(back.refreshToken!)).toBe("RT-secret-value")
    expect(back.expiresAt?.getTime()).toBe(0)
  })
})
