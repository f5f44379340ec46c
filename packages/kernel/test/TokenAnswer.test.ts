// The hand-written token/error field checks (src/TokenAnswer.ts) replaced two effect/Schema
// definitions on the hot path. They must accept and refuse exactly what those schemas did: this
// decodes generated answers both ways and compares. The schemas are the reference, kept here.
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeErrorWire, decodeTokenWire, splitScopes, tokenTypeOf } from "../src/TokenAnswer.js"

const Text = Schema.NullOr(Schema.String)
const TokenWire = Schema.Struct({
  access_token: Schema.NonEmptyString,
  token_type: Schema.optional(Text),
  expires_in: Schema.optional(Schema.NullOr(Schema.Union([Schema.Number, Schema.FiniteFromString]))),
  refresh_token: Schema.optional(Text),
  id_token: Schema.optional(Text),
  scope: Schema.optional(Schema.NullOr(Schema.Union([Schema.String, Schema.Array(Schema.String)]))),
})
const ErrorWire = Schema.Struct({
  error: Schema.Union([Schema.NonEmptyString, Schema.Finite, Schema.Literal(true)]),
  error_description: Schema.optional(Text),
  error_uri: Schema.optional(Text),
  message: Schema.optional(Text),
})
const bySchema =
  <A>(decode: (u: unknown) => Result.Result<A, unknown>) =>
  (value: unknown) => {
    const r = decode(value)
    return Result.isSuccess(r) ? r.success : undefined
  }
const tokenBySchema = bySchema(Schema.decodeUnknownResult(TokenWire))
const errorBySchema = bySchema(Schema.decodeUnknownResult(ErrorWire))

/** Values a server may put in a field, with the edge cases of each type. */
const field = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    false,
    0,
    -1,
    1.5,
    3600,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ),
  fc.constantFrom(
    "",
    " ",
    "3600",
    " 60 ",
    "1e3",
    "0x10",
    "abc",
    "Infinity",
    "NaN",
    "-0",
    "read write",
    "read,write",
  ),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
)
/** Answers whose fields are mostly of a type the answer may have and sometimes anything. */
const answer = (valid: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(
    Object.fromEntries(
      Object.entries(valid).map(([k, a]) => [
        k,
        fc.oneof({ arbitrary: a, weight: 4 }, { arbitrary: field, weight: 1 }),
      ]),
    ),
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, unknown>>
const text = fc.oneof(fc.string(), fc.constant(null))
/** Drops keys whose value is `undefined`: the schema's output leaves absent keys out. */
const defined = (o: object | undefined) =>
  o === undefined ? undefined : Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

describe("token answer fields checked by hand", () => {
  it("accepts and refuses every token answer exactly as the TokenWire schema did, with the same values", () => {
    let accepted = 0
    const keys = {
      access_token: fc.string({ minLength: 1 }),
      token_type: text,
      expires_in: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.constant(null),
        fc.integer().map(String),
        fc.string(),
      ),
      refresh_token: text,
      id_token: text,
      scope: fc.oneof(text, fc.array(fc.string(), { maxLength: 3 })),
      extra: fc.string(),
    }
    fc.assert(
      fc.property(answer(keys), (value) => {
        expect(defined(decodeTokenWire(value))).toEqual(defined(tokenBySchema(value)))
        if (tokenBySchema(value) !== undefined) accepted++
      }),
      { numRuns: 3000 },
    )
    // The corpus has to hold accepted records too, or the comparison proves little.
    expect(accepted).toBeGreaterThan(100)
  })

  it("accepts and refuses every error answer exactly as the ErrorWire schema did, with the same values", () => {
    let accepted = 0
    const keys = {
      error: fc.oneof(fc.string(), fc.integer(), fc.constant(true), fc.double()),
      error_description: text,
      error_uri: text,
      message: text,
      extra: fc.string(),
    }
    fc.assert(
      fc.property(answer(keys), (value) => {
        expect(defined(decodeErrorWire(value))).toEqual(defined(errorBySchema(value)))
        if (errorBySchema(value) !== undefined) accepted++
      }),
      { numRuns: 3000 },
    )
    // The corpus has to hold accepted records too, or the comparison proves little.
    expect(accepted).toBeGreaterThan(100)
  })

  it("reads a numeric string expires_in as its number and refuses one that is not finite", () => {
    expect(decodeTokenWire({ access_token: "a", expires_in: " 60 " })?.expires_in).toBe(60)
    expect(decodeTokenWire({ access_token: "a", expires_in: "Infinity" })).toBeUndefined()
    expect(decodeTokenWire({ access_token: "a", expires_in: "soon" })).toBeUndefined()
  })
})

describe("scopes and token types of an answer", () => {
  it("splits scopes by spaces, commas or both, from a string or an array, and reads null as none", () => {
    expect(splitScopes("read write")).toEqual(["read", "write"])
    expect(splitScopes("read,write")).toEqual(["read", "write"])
    expect(splitScopes(" read, write  admin ")).toEqual(["read", "write", "admin"])
    expect(splitScopes(["read write", "admin"])).toEqual(["read", "write", "admin"])
    expect(splitScopes(null)).toEqual([])
    expect(splitScopes("")).toEqual([])
  })

  it("reads bearer in any case as Bearer and keeps other token types as sent", () => {
    expect(tokenTypeOf("bearer")).toBe("Bearer")
    expect(tokenTypeOf(undefined)).toBe("Bearer")
    expect(tokenTypeOf("DPoP")).toBe("DPoP")
  })
})
