import { describe, expect, it } from "vitest"
import { base64url, challengeS256, randomToken } from "../src/Pkce.js"

describe("PKCE", () => {
  it("derives the S256 challenge of RFC 7636's Appendix B example verifier", async () => {
    expect(await challengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    )
  })

  it("makes 43-character base64url verifiers from 32 random bytes, a new one each time", () => {
    const a = randomToken(32)
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(randomToken(32)).not.toBe(a)
  })

  it("writes base64url without padding", () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe("-_8")
  })
})
