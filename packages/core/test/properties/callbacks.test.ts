/**
 * Property (a) of issue 12: any callback input ends in a TokenSet or one of the documented tagged
 * errors, and a callback the spec refuses never reaches the token endpoint. The token endpoint is
 * the sandbox's real one, so each case's token requests are counted where they arrive.
 *
 * A case is built from a model (which state values, codes, `iss` values, error, extra parameters,
 * in which input shape), and the expected outcome is read from the model by the rules of RFC 6749
 * §4.1.2 / RFC 9207 as the README states them, not by parsing the input again.
 *
 * Runs: 2000 in `pnpm test`, a fifth of GRANTFLOW_FUZZ_CASES under `pnpm fuzz`; GRANTFLOW_FUZZ_SEED /
 * GRANTFLOW_FUZZ_PATH replay a failure (fast-check prints both).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import {
  AuthorizationError,
  ConfigError,
  HttpTransport,
  InvalidResponse,
  MemoryStateStore,
  OAuth,
  OAuthServerError,
  StateMismatch,
  StateStore,
  StoreError,
  TransportError,
  type PendingAuthorization,
  type Provider,
} from "../../src/index.js"
import { squashExit } from "../../src/internal/runPromise.js"
import { followAuthorize, hopperProvider } from "../helpers/sandbox.js"
import { OutcomeCounts, fuzzing, parameters, runsFor } from "./budget.js"

const RUNS = runsFor(2_000, 0.2)
const counts = new OutcomeCounts("callbacks")
const ISSUER = "https://hopper.example"
const PROTOCOL = new Set(["state", "code", "iss", "error", "error_description", "error_uri", "message"])

let sb: Sandbox
let provider: Provider
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
  const base = hopperProvider(sb)
  provider = { ...base, endpoints: { ...base.endpoints, issuer: ISSUER } }
})
afterAll(async () => {
  console.log(counts.report())
  await sb?.stop()
})

type Value = { kind: "real" } | { kind: "other"; value: string } | { kind: "empty" }
interface Model {
  readonly path: "pure" | "store"
  readonly realConsent: boolean
  readonly expired: boolean
  readonly states: ReadonlyArray<Value>
  readonly codes: ReadonlyArray<Value>
  readonly iss: ReadonlyArray<"issuer" | "other">
  readonly error: { readonly code: string; readonly description: string | undefined } | undefined
  readonly extra: ReadonlyArray<readonly [string, string]>
  readonly shape: "url" | "URL" | "path" | "query" | "params" | "record" | "fragment" | "junk"
  readonly junk: unknown
}

const text = fc.string({ maxLength: 30, unit: "binary" })
const value: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: fc.constant({ kind: "real" as const }), weight: 4 },
  {
    arbitrary: text.filter((v) => v.length > 0).map((v) => ({ kind: "other" as const, value: v })),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: "empty" as const }), weight: 1 },
)
const few = <A>(a: fc.Arbitrary<A>) =>
  fc.oneof(
    { arbitrary: fc.constant([] as A[]), weight: 1 },
    { arbitrary: fc.array(a, { minLength: 1, maxLength: 1 }), weight: 6 },
    { arbitrary: fc.array(a, { minLength: 2, maxLength: 3 }), weight: 1 },
  )

class RequestLike {
  readonly query = { code: "c", state: "s" }
}
const junk = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(new Map([["code", "c"]])),
  fc.constant(new Date(0)),
  fc.constant(new RequestLike()),
  fc.record({ state: fc.integer() }),
)

const model: fc.Arbitrary<Model> = fc.record({
  path: fc.constantFrom("pure" as const, "store" as const),
  realConsent: fc.boolean(),
  expired: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  states: few(value),
  codes: few(value),
  iss: fc.oneof(
    { arbitrary: fc.constant([] as Array<"issuer" | "other">), weight: 4 },
    {
      arbitrary: fc.array(fc.constantFrom("issuer" as const, "other" as const), {
        minLength: 1,
        maxLength: 2,
      }),
      weight: 2,
    },
  ),
  error: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 5 },
    {
      arbitrary: fc.record({
        code: text.filter((v) => v.length > 0),
        description: fc.option(text, { nil: undefined }),
      }),
      weight: 1,
    },
  ),
  extra: fc.array(
    fc.tuple(
      text.filter((k) => k.length > 0 && !PROTOCOL.has(k)),
      text,
    ),
    { maxLength: 3 },
  ),
  shape: fc.constantFrom("url", "URL", "path", "query", "params", "record", "fragment", "junk"),
  junk,
}) as fc.Arbitrary<Model>

/** What the spec says: refused (and how it may be reported) or sent to the token endpoint. */
const expected = (m: Model): "sent" | "refused" | "config" => {
  if (m.shape === "junk") return "config"
  if (m.shape === "fragment") return "refused"
  const oneReal = (vs: ReadonlyArray<Value>) => vs.length === 1 && vs[0]!.kind === "real"
  const oneNonEmpty = (vs: ReadonlyArray<Value>) => vs.length === 1 && vs[0]!.kind !== "empty"
  if (!oneReal(m.states) || m.expired) return "refused"
  if (m.iss.length > 1 || m.iss.includes("other")) return "refused"
  if (m.error !== undefined) return "refused"
  return oneNonEmpty(m.codes) ? "sent" : "refused"
}

const build = (m: Model, pending: PendingAuthorization, realCode: string): unknown => {
  if (m.shape === "junk") return m.junk
  const pairs: Array<[string, string]> = []
  const resolve = (v: Value, real: string) => (v.kind === "real" ? real : v.kind === "empty" ? "" : v.value)
  for (const s of m.states) pairs.push(["state", resolve(s, pending.state)])
  for (const c of m.codes) pairs.push(["code", resolve(c, realCode)])
  for (const i of m.iss) pairs.push(["iss", i === "issuer" ? ISSUER : "https://evil.example"])
  if (m.error !== undefined) {
    pairs.push(["error", m.error.code])
    if (m.error.description !== undefined) pairs.push(["error_description", m.error.description])
  }
  for (const [k, v] of m.extra) pairs.push([k, v])
  const params = new URLSearchParams(pairs)
  switch (m.shape) {
    case "url":
      return `http://127.0.0.1/callback?${params}`
    case "URL":
      return new URL(`http://127.0.0.1/callback?${params}`)
    case "path":
      return `/callback?${params}`
    case "query":
      return params.toString()
    case "params":
      return params
    case "fragment":
      return `http://127.0.0.1/callback#x?${params}`
    case "record": {
      const record = Object.create(null) as Record<string, string | string[] | undefined>
      for (const [k, v] of pairs) {
        const had = record[k]
        record[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v]
      }
      record["absent"] = undefined
      return record
    }
  }
}

const documented = [
  AuthorizationError,
  StateMismatch,
  ConfigError,
  TransportError,
  InvalidResponse,
  OAuthServerError,
  StoreError,
] as const

describe("callback property (issue 12, property a)", () => {
  it(
    "ends every callback in a TokenSet or a documented tagged error, and sends no token request for a refused one",
    async () => {
      // No retries, so every request is counted once; a generous timeout, so a loaded machine is not a failure.
      const transport = HttpTransport.layer({ retries: 0, timeoutMs: 60_000 })
      const seen = new Set<string>()
      await fc.assert(
        fc.asyncProperty(model, async (m) => {
          const prepared = await Effect.runPromise(OAuth.createAuthorizationRequest(provider))
          const pending: PendingAuthorization = m.expired
            ? { ...prepared.pending, expiresAt: prepared.pending.createdAt - 1 }
            : prepared.pending
          const realCode = m.realConsent
            ? new URL(await followAuthorize(prepared.url)).searchParams.get("code")!
            : "code-the-server-never-issued"
          const input = build(m, pending, realCode) as Parameters<typeof OAuth.handleCallback>[1]
          const store = MemoryStateStore.make()
          const run =
            m.path === "pure"
              ? OAuth.completeCallback(provider, input, pending)
              : Effect.andThen(store.put(pending), OAuth.handleCallback(provider, input))
          const before = sb.stats.tokenRequests("cryptohopper")
          const outcome = await Effect.runPromiseExit(
            run.pipe(Effect.provide(Layer.merge(transport, Layer.succeed(StateStore, store)))),
          )
            .then(squashExit)
            .then(
              (tokens) => ({ tokens }),
              (error: unknown) => ({ error }),
            )
          const requests = sb.stats.tokenRequests("cryptohopper") - before
          const want = expected(m)
          const tag = "error" in outcome ? (outcome.error as { _tag?: string })._tag : "TokenSet"
          counts.add(`${want} -> ${tag}`)
          seen.add(`${want} -> ${tag}`)

          if ("error" in outcome) {
            expect(
              documented.some((E) => outcome.error instanceof E),
              `untyped: ${String(outcome.error)}`,
            ).toBe(true)
          }
          expect(requests).toBe(want === "sent" ? 1 : 0)
          if (want === "config") expect(tag).toBe("ConfigError")
          if (want === "refused") expect(["StateMismatch", "AuthorizationError"]).toContain(tag)
          if (want === "sent") {
            // A real, unused code with its verifier is a login; anything else the server refuses.
            const realOne = m.realConsent && m.codes[0]!.kind === "real"
            expect(tag).toBe(realOne ? "TokenSet" : "OAuthServerError")
          }
        }),
        parameters(RUNS),
      )
      // Every kind of outcome was reached, so the property was not vacuous (not when replaying one case).
      if (RUNS >= 500 && !process.env["GRANTFLOW_FUZZ_PATH"]) {
        const kinds = ["sent -> TokenSet", "sent -> OAuthServerError", "refused -> StateMismatch"]
        for (const kind of [...kinds, "refused -> AuthorizationError", "config -> ConfigError"]) {
          expect(seen.has(kind), [...seen].join(", ")).toBe(true)
        }
      }
    },
    fuzzing ? 3_600_000 : 300_000,
  )
})
