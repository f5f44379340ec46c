// Property (c) of issue 12: whatever an issuer's metadata endpoints answer, discovery ends in a
// provider whose endpoints pass the documented rules (absolute URL, https or loopback http, no
// credentials, no fragment; the issuer the one asked for) or in one of its documented tagged
// errors (ConfigError, InvalidResponse, TransportError), in time, never showing the client secret.
// The metadata comes from a real local HTTP server.
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Providers, type Provider } from "../../src/index.js"
import {
  type AnswerServer,
  type ScriptedAnswer,
  type Wire,
  startAnswerServer,
} from "../helpers/answerServer.js"
import { leaksOf } from "../helpers/leaks.js"
import { OutcomeCounts, fuzzing, parameters, runsFor } from "./budget.js"

const SECRET = "d1scovery s3cret/+&="
const TIMEOUT_MS = 250
const HANG_MS = 15_000

let server: AnswerServer
let issuer: string
const counts = new OutcomeCounts("discovery")

beforeAll(async () => {
  server = await startAnswerServer()
  issuer = `${server.url}/idp`
})
afterAll(async () => {
  console.log(counts.report())
  await server?.stop()
})

/** An endpoint value as a metadata document may hold it: good, bad, odd or of the wrong type. */
const endpoint = (path: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant("LOCAL").map(() => `${server.url}${path}`) },
    { weight: 3, arbitrary: fc.constant(`https://idp.example${path}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        `http://remote.example${path}`,
        path,
        "not a url",
        "javascript:alert(1)",
        `https://user:pw@idp.example${path}`,
        `https://idp.example${path}#frag`,
        "file:///etc/passwd",
        "",
        `https://idp.example${path}?x=1`,
        `HTTPS://IDP.EXAMPLE${path}`,
        ` https://idp.example${path}`,
        `https://idp.example${path}\n`,
        `https://idp.ex\tample${path}`,
        `http://localhost:1${path}`,
        `http://[::1]${path}`,
        `http://127.0.0.1.evil.example${path}`,
        `http://localhost.evil.example${path}`,
        `data:text/plain,${path}`,
        `com.example.app:${path}`,
        `//idp.example${path}`,
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        {
          weight: 1,
          arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(true), fc.constant(["x"])),
        },
        { weight: 3, arbitrary: fc.webUrl() },
      ),
    },
  )

const methods = (values: ReadonlyArray<string>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.constantFrom(...values), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom("client_secret_basic", 1, null) },
  )

/** A metadata document, mostly well-formed, with every field now and then wrong. */
const metadata = fc
  .record(
    {
      issuer: fc.oneof(
        { weight: 8, arbitrary: fc.constant("ISSUER") },
        {
          weight: 1,
          arbitrary: fc.constantFrom("ISSUER/", "https://evil.example", "", "ISSUER?x", "ISSUER#f", 42, null),
        },
      ),
      authorization_endpoint: endpoint("/authorize"),
      token_endpoint: endpoint("/token"),
      revocation_endpoint: endpoint("/revoke"),
      device_authorization_endpoint: endpoint("/device"),
      introspection_endpoint: endpoint("/introspect"),
      token_endpoint_auth_methods_supported: methods([
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
        "tls_client_auth",
      ]),
      code_challenge_methods_supported: methods(["S256", "plain", "S512"]),
      authorization_response_iss_parameter_supported: fc.oneof(
        { weight: 6, arbitrary: fc.boolean() },
        { weight: 1, arbitrary: fc.constantFrom("true", null) },
      ),
      extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    },
    { requiredKeys: ["issuer", "token_endpoint"] },
  )
  .map(({ extra, ...fields }) => {
    const doc: Record<string, unknown> = { ...extra }
    for (const [k, v] of Object.entries(fields)) {
      doc[k] = typeof v === "string" ? v.replace(/^ISSUER/, "\u0000ISSUER") : v
    }
    return doc
  })

type Doc =
  | { readonly kind: "metadata"; readonly doc: Record<string, unknown> }
  | { readonly kind: "raw"; readonly text: string }

const document: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 10, arbitrary: metadata.map((doc) => ({ kind: "metadata" as const, doc })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.json({ maxDepth: 2 }),
        fc.string({ maxLength: 80 }),
        fc.constantFrom("", "<html><body>Not here</body></html>", "null", "[]"),
      )
      .map((text) => ({ kind: "raw" as const, text })),
  },
)

const answerOf = (doc: Doc, status: number, contentType: string | undefined, wire: Wire): ScriptedAnswer => ({
  status,
  headers: contentType === undefined ? {} : { "content-type": contentType },
  body:
    doc.kind === "raw"
      ? doc.text
      : JSON.stringify(doc.doc).replaceAll("\\u0000ISSUER", JSON.stringify(issuer).slice(1, -1)),
  wire,
})

const status = fc.oneof(
  { weight: 8, arbitrary: fc.constant(200) },
  { weight: 1, arbitrary: fc.constantFrom(201, 301, 404, 500) },
)
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/html",
  undefined,
)
const wire: fc.Arbitrary<Wire> = fc.oneof(
  { weight: 60, arbitrary: fc.constant("normal" as const) },
  { weight: 1, arbitrary: fc.constantFrom("cut" as const, "reset" as const, "stall" as const) },
)

/** The two metadata locations: RFC 8414's, then OpenID's (which is only asked when the first fails). */
const answers = fc.record({
  rfc8414: fc.oneof(
    { weight: 3, arbitrary: fc.tuple(document, status, contentType, wire) },
    { weight: 1, arbitrary: fc.constant("missing" as const) },
  ),
  openid: fc.tuple(document, status, contentType, wire),
  options: fc.record({ secret: fc.boolean(), redirect: fc.boolean() }),
})

/** What is wrong with a discovered provider, measured against the documented rules. */
const providerProblems = (p: Provider): Array<string> => {
  const problems: Array<string> = []
  if (p.endpoints.issuer !== issuer) problems.push(`issuer ${String(p.endpoints.issuer)}`)
  const check = (name: string, value: string | undefined, required: boolean) => {
    if (value === undefined) {
      if (required) problems.push(`${name} missing`)
      return
    }
    let url: URL
    try {
      url = new URL(value)
    } catch {
      problems.push(`${name} not an absolute URL: ${JSON.stringify(value)}`)
      return
    }
    const host = url.hostname.replace(/^\[|\]$/g, "")
    const loopback =
      host === "localhost" ||
      host.endsWith(".localhost") ||
      host === "::1" ||
      /^127(\.\d{1,3}){3}$/.test(host)
    if (!(url.protocol === "https:" || (url.protocol === "http:" && loopback)))
      problems.push(`${name} neither https nor loopback http: ${JSON.stringify(value)}`)
    if (url.username !== "" || url.password !== "") problems.push(`${name} has credentials`)
    if (url.hash !== "") problems.push(`${name} has a fragment`)
  }
  check("token", p.endpoints.token, true)
  check("authorization", p.endpoints.authorization, false)
  check("revocation", p.endpoints.revocation, false)
  check("deviceAuthorization", p.endpoints.deviceAuthorization, false)
  check("introspection", p.endpoints.introspection, false)
  if (!["client_secret_basic", "client_secret_post", "none"].includes(p.dialect.clientAuth))
    problems.push(`clientAuth ${p.dialect.clientAuth}`)
  if (!["S256", "plain", "none"].includes(p.dialect.pkce)) problems.push(`pkce ${p.dialect.pkce}`)
  return problems
}

/** The kind of a ConfigError's reason, for the counts. */
const reasonKind = (reason: string): string =>
  /plain http/.test(reason)
    ? "remote http endpoint"
    : /fragment|credentials|not a valid absolute URL|must be an https URL|non-empty/.test(reason)
      ? "bad endpoint URL"
      : /supports none of/.test(reason)
        ? "no usable client auth"
        : "other"

const settle = (p: Promise<Provider>) => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.then(
      (value) => ({ kind: "ok" as const, value }),
      (value: unknown) => ({ kind: "error" as const, value }),
    ),
    new Promise<{ kind: "hung" }>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "hung" }), HANG_MS)
    }),
  ]).finally(() => clearTimeout(timer))
}

describe("property (c): any discovery document", () => {
  it(
    "gives a provider whose endpoints pass the documented rules, or a typed error, in time",
    async () => {
      await fc.assert(
        fc.asyncProperty(answers, async ({ rfc8414, openid, options }) => {
          server.reset()
          if (rfc8414 !== "missing")
            server.serve(answerOf(...rfc8414), "/.well-known/oauth-authorization-server/idp")
          server.serve(answerOf(...openid), "/idp/.well-known/openid-configuration")
          const settled = await settle(
            Providers.discover(issuer, {
              clientId: "app",
              ...(options.secret ? { clientSecret: SECRET } : {}),
              ...(options.redirect ? { redirectUri: "https://app.example/cb" } : {}),
              timeoutMs: TIMEOUT_MS,
              retries: 1,
              backoffBaseMs: 1,
              backoffMaxMs: 2,
              maxRetryAfterMs: 10,
            }),
          )
          expect(settled.kind).not.toBe("hung")
          if (settled.kind === "hung") return
          if (settled.kind === "ok") {
            counts.add("Provider")
            expect(providerProblems(settled.value)).toEqual([])
            if (options.secret) expect(settled.value.dialect.clientAuth).not.toBe("none")
          } else {
            const e = settled.value as { _tag?: unknown; reason?: unknown }
            const detail =
              e._tag === "TransportError"
                ? String(e.reason)
                : e._tag === "ConfigError"
                  ? reasonKind(String(e.reason))
                  : ""
            counts.add(`${String(e._tag)}${detail === "" ? "" : ` (${detail})`}`)
            expect(e).toBeInstanceOf(Error)
            expect(["ConfigError", "InvalidResponse", "TransportError"]).toContain(e._tag)
          }
          expect(leaksOf("discovery", settled.value, { secret: SECRET })).toEqual([])
        }),
        parameters(runsFor(600, 0.2)),
      )
    },
    fuzzing ? 3_600_000 : 300_000,
  )
})
