import { describe, expect, it } from "vitest"
import { callbackError, checkCallback, type CallbackExpectation } from "../src/Callback.js"

const expected: CallbackExpectation = { state: "s1", expiresAt: 2_000, now: 1_000 }
const check = (query: string, e: Partial<CallbackExpectation> = {}) =>
  checkCallback(new URLSearchParams(query), { ...expected, ...e })

describe("callback checks", () => {
  it("hands out the code of a callback with the expected state", () => {
    expect(check("code=c1&state=s1")).toEqual({ _tag: "Code", code: "c1" })
  })

  it("refuses a missing, different, doubled or expired state", () => {
    expect(check("code=c1")).toEqual({ _tag: "StateMismatch", reason: "missing" })
    expect(check("code=c1&state=s2")).toEqual({ _tag: "StateMismatch", reason: "mismatch" })
    expect(check("code=c1&state=s1&state=s2")).toEqual({ _tag: "StateMismatch", reason: "mismatch" })
    expect(check("code=c1&state=s1", { now: 2_000 })).toEqual({ _tag: "StateMismatch", reason: "expired" })
    expect(check("code=c1&state=s1", { sameClient: false })).toEqual({
      _tag: "StateMismatch",
      reason: "mismatch",
    })
  })

  it("checks RFC 9207 iss against the issuer: a wrong or doubled one, or none when it is required", () => {
    const issuer = "https://as.example"
    expect(check(`code=c1&state=s1&iss=${issuer}`, { issuer })).toEqual({ _tag: "Code", code: "c1" })
    expect(check("code=c1&state=s1&iss=https://evil", { issuer })).toEqual({
      _tag: "StateMismatch",
      reason: "issuer",
    })
    expect(check(`code=c1&state=s1&iss=${issuer}&iss=${issuer}`, { issuer })).toEqual({
      _tag: "StateMismatch",
      reason: "issuer",
    })
    expect(check("code=c1&state=s1", { issuer })).toEqual({ _tag: "Code", code: "c1" })
    expect(check("code=c1&state=s1", { issuer, requireIss: true })).toEqual({
      _tag: "StateMismatch",
      reason: "issuer",
    })
  })

  it("reads the error a callback carries, also without state, in the RFC's and Cryptohopper's dialects", () => {
    expect(check("error=access_denied&error_description=no&state=s1")).toEqual({
      _tag: "Error",
      error: { error: "access_denied", description: "no", uri: undefined },
    })
    expect(check("error=invalid_client")).toMatchObject({ _tag: "Error", error: { error: "invalid_client" } })
    expect(callbackError(new URLSearchParams("error=1&message=Denied"), "error-flag")).toEqual({
      error: "1",
      description: "Denied",
      uri: undefined,
    })
    expect(callbackError(new URLSearchParams("error=1&message=Denied"))?.description).toBeUndefined()
  })

  it("refuses a callback with neither exactly one code nor an error", () => {
    expect(check("state=s1")).toEqual({ _tag: "NoCode" })
    expect(check("code=a&code=b&state=s1")).toEqual({ _tag: "NoCode" })
  })
})
