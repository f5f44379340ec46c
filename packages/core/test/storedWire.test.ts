// The hand-written checks of stored token sets and pending authorizations (src/internal/storedWire.ts)
// replaced two effect/Schema definitions on every store read. They must accept and refuse exactly
// what those schemas did, with the same values: this decodes generated records both ways and
// compares. The schemas are the reference, kept here.
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeStoredPending, decodeStoredTokenSet } from "../src/internal/storedWire.js"

const Secret = Schema.optional(Schema.NullOr(Schema.String))
const StoredTokenSet = Schema.Struct({
  v: Schema.optional(Schema.Literal(1)),
  accessToken: Schema.NonEmptyString,
  tokenType: Schema.String,
  expiresAt: Schema.optional(Schema.NullOr(Schema.Finite)),
  refreshToken: Secret,
  scopes: Schema.optional(Schema.Array(Schema.String)),
  idToken: Secret,
  raw: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
})
const StoredPending = Schema.Struct({
  v: Schema.optional(Schema.Literal(1)),
  state: Schema.NonEmptyString,
  providerId: Schema.String,
  codeVerifier: Secret,
  redirectUri: Secret,
  scopes: Schema.optional(Schema.Array(Schema.String)),
  nonce: Secret,
  createdAt: Schema.Finite,
  expiresAt: Schema.Finite,
})
const bySchema =
  <A>(decode: (u: unknown) => Result.Result<A, unknown>) =>
  (value: unknown) => {
    const r = decode(value)
    return Result.isSuccess(r) ? r.success : undefined
  }
const tokenSetBySchema = bySchema(Schema.decodeUnknownResult(StoredTokenSet))
const pendingBySchema = bySchema(Schema.decodeUnknownResult(StoredPending))

const field = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    0,
    1,
    2,
    -1.5,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    "",
    "1",
    "x",
    "Bearer",
  ),
  fc.string(),
  fc.double(),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
  fc.constant(new Date(0)),
)
/** Records whose fields are mostly of the right type and sometimes anything: both sides of every check. */
const record = (valid: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { arbitrary: field, weight: 1 },
    {
      arbitrary: fc.record(
        Object.fromEntries(
          Object.entries(valid).map(([k, a]) => [
            k,
            fc.oneof({ arbitrary: a, weight: 6 }, { arbitrary: field, weight: 1 }),
          ]),
        ),
        { requiredKeys: [] },
      ),
      weight: 9,
    },
  )
const text = fc.oneof(fc.string(), fc.constant(null))
const tokenSetFields = {
  v: fc.constant(1),
  accessToken: fc.string({ minLength: 1 }),
  tokenType: fc.string(),
  expiresAt: fc.oneof(fc.integer(), fc.constant(null)),
  refreshToken: text,
  scopes: fc.array(fc.string(), { maxLength: 3 }),
  idToken: text,
  raw: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
  other: fc.string(),
}
const pendingFields = {
  v: fc.constant(1),
  state: fc.string({ minLength: 1 }),
  providerId: fc.string(),
  codeVerifier: text,
  redirectUri: text,
  scopes: fc.array(fc.string(), { maxLength: 3 }),
  nonce: text,
  createdAt: fc.integer(),
  expiresAt: fc.integer(),
}
const defined = (o: object | undefined) =>
  o === undefined ? undefined : Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

describe("stored records checked by hand", () => {
  it("accepts and refuses every stored token set exactly as the StoredTokenSet schema did, with the same values", () => {
    let accepted = 0
    fc.assert(
      fc.property(record(tokenSetFields), (value) => {
        expect(defined(decodeStoredTokenSet(value))).toEqual(defined(tokenSetBySchema(value)))
        if (tokenSetBySchema(value) !== undefined) accepted++
      }),
      { numRuns: 3000 },
    )
    // The corpus has to hold accepted records too, or the comparison proves little.
    expect(accepted).toBeGreaterThan(100)
  })

  it("accepts and refuses every stored pending authorization exactly as the StoredPending schema did", () => {
    let accepted = 0
    fc.assert(
      fc.property(record(pendingFields), (value) => {
        expect(defined(decodeStoredPending(value))).toEqual(defined(pendingBySchema(value)))
        if (pendingBySchema(value) !== undefined) accepted++
      }),
      { numRuns: 3000 },
    )
    // The corpus has to hold accepted records too, or the comparison proves little.
    expect(accepted).toBeGreaterThan(100)
  })

  it("reads a complete token set and refuses one written by a newer format version", () => {
    const stored = {
      v: 1,
      accessToken: "a",
      tokenType: "Bearer",
      expiresAt: 1,
      scopes: ["read"],
      raw: { x: 1 },
    }
    expect(decodeStoredTokenSet(stored)).toMatchObject(stored)
    expect(decodeStoredTokenSet({ ...stored, v: 2 })).toBeUndefined()
  })
})
