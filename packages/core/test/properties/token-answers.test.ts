// Property (b) of issue 12: whatever a token endpoint answers (status, headers, content type, body
// shape, encoding, size, a cut body, a reset, a stall), every token flow ends, within its timeout,
// in a TokenSet that holds up or in one of the documented tagged errors, and no secret the client
// holds and no token the server issued shows in any rendering of the result. The answers come
// from a real local HTTP server.
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  MemoryTokenStore,
  Providers,
  createOAuthClient,
  type OAuthClient,
  type TokenSet,
} from "../../src/index.js"
import { type AnswerServer, startAnswerServer } from "../helpers/answerServer.js"
import { leaksOf } from "../helpers/leaks.js"
import { OutcomeCounts, fuzzing, parameters, runsFor } from "./budget.js"
import { CLIENT_ID, SENT, type Case, tokenAnswer } from "./tokenAnswers.js"

/** Per attempt: short, so a stalled answer costs little. Two attempts at most. */
const TIMEOUT_MS = 250
/** A flow that has not settled by then hangs: far above two attempts and their backoff. */
const HANG_MS = 15_000

const VARIANTS = {
  "basic, form": { clientAuth: "client_secret_basic", tokenRequestBody: "form" },
  "post, JSON": { clientAuth: "client_secret_post", tokenRequestBody: "json" },
  "public, form": { clientAuth: "none", tokenRequestBody: "form" },
  "basic raw, form": {
    clientAuth: "client_secret_basic",
    tokenRequestBody: "form",
    basicAuthEncoding: "raw",
  },
} as const
type Variant = keyof typeof VARIANTS

const FLOWS = ["client credentials", "code exchange", "refresh", "session renewal"] as const
type Flow = (typeof FLOWS)[number]

const ALLOWED: Record<Flow, ReadonlyArray<string>> = {
  "client credentials": ["OAuthServerError", "InvalidResponse", "TransportError"],
  "code exchange": ["OAuthServerError", "InvalidResponse", "TransportError"],
  refresh: ["OAuthServerError", "InvalidResponse", "TransportError"],
  "session renewal": ["OAuthServerError", "InvalidResponse", "TransportError", "LoginRequired"],
}

let server: AnswerServer
const clients = new Map<Variant, OAuthClient>()
const counts = new OutcomeCounts("token-answers")

beforeAll(async () => {
  server = await startAnswerServer()
  for (const [name, dialect] of Object.entries(VARIANTS) as Array<[Variant, (typeof VARIANTS)[Variant]]>) {
    const provider = Providers.generic({
      authorizationEndpoint: `${server.url}/authorize`,
      tokenEndpoint: `${server.url}/token/${encodeURIComponent(name)}`,
      redirectUri: "https://app.example/cb",
      clientId: CLIENT_ID,
      ...(dialect.clientAuth === "none" ? {} : { clientSecret: SENT.clientSecret }),
      dialect,
    })
    clients.set(
      name,
      createOAuthClient(provider, {
        timeoutMs: TIMEOUT_MS,
        retries: 1,
        backoffBaseMs: 1,
        backoffMaxMs: 2,
        maxRetryAfterMs: 10,
        tokenStore: MemoryTokenStore.make(),
      }),
    )
  }
})

afterAll(async () => {
  console.log(counts.report())
  await Promise.all([...clients.values()].map((c) => c.dispose()))
  await server?.stop()
})

const expiredSession: TokenSet = {
  accessToken: Redacted.make("old-access-1"),
  tokenType: "Bearer",
  expiresAt: new Date(0),
  refreshToken: Redacted.make(SENT.refreshToken),
  scopes: ["read"],
  raw: {},
}

const run = async (client: OAuthClient, flow: Flow): Promise<unknown> => {
  switch (flow) {
    case "client credentials":
      return client.clientCredentials()
    case "code exchange":
      return client.exchangeCode(SENT.code, { codeVerifier: SENT.codeVerifier })
    case "refresh":
      return client.refresh(SENT.refreshToken)
    case "session renewal":
      await client.setSession("s", expiredSession)
      return client.getTokenSet({ session: "s" })
  }
}

/** What the client held and sent in this flow. */
const heldSecrets = (variant: Variant, flow: Flow): Record<string, string> => ({
  ...(VARIANTS[variant].clientAuth === "none" ? {} : { clientSecret: SENT.clientSecret }),
  ...(flow === "code exchange" ? { code: SENT.code, codeVerifier: SENT.codeVerifier } : {}),
  ...(flow === "refresh" || flow === "session renewal" ? { refreshToken: SENT.refreshToken } : {}),
})

type Settled = { readonly kind: "ok" | "error"; readonly value: unknown } | { readonly kind: "hung" }

const settle = (p: Promise<unknown>): Promise<Settled> => {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "hung" }), HANG_MS)
  })
  return Promise.race([
    p.then(
      (value) => ({ kind: "ok" as const, value }),
      (value: unknown) => ({ kind: "error" as const, value }),
    ),
    hung,
  ]).finally(() => clearTimeout(timer))
}

const HEADER_VALUE = /^[\x21-\x7e]+$/
const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** What is wrong with a token set, if anything. */
const tokenSetProblems = (t: TokenSet): Array<string> => {
  const problems: Array<string> = []
  if (!Redacted.isRedacted(t.accessToken) || !HEADER_VALUE.test(Redacted.value(t.accessToken)))
    problems.push("access token not a Redacted header value")
  if (!AUTH_SCHEME.test(t.tokenType)) problems.push(`token type ${JSON.stringify(t.tokenType)}`)
  if (t.expiresAt !== undefined && !(t.expiresAt instanceof Date && Number.isFinite(t.expiresAt.getTime())))
    problems.push("expiresAt is not a valid date")
  if (
    t.refreshToken !== undefined &&
    (!Redacted.isRedacted(t.refreshToken) || Redacted.value(t.refreshToken).trim() === "")
  )
    problems.push("refresh token blank or not Redacted")
  if (!Array.isArray(t.scopes) || t.scopes.some((s) => typeof s !== "string" || s === ""))
    problems.push("scopes")
  return problems
}

const STANDARD_CODES = new Set([
  "invalid_grant",
  "invalid_client",
  "invalid_request",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "server_error",
  "temporarily_unavailable",
  "slow_down",
  "1",
])

const outcomeLabel = (flow: Flow, settled: Settled): string => {
  if (settled.kind === "hung") return `${flow}: HUNG`
  if (settled.kind === "ok") return `${flow}: TokenSet`
  const e = settled.value as Record<string, unknown>
  const tag = String(e?.["_tag"] ?? (e instanceof Error ? e.constructor.name : typeof e))
  const detail =
    tag === "OAuthServerError"
      ? STANDARD_CODES.has(String(e["error"]))
        ? String(e["error"])
        : "another code"
      : tag === "TransportError" || tag === "LoginRequired"
        ? String(e["reason"])
        : tag === "InvalidResponse"
          ? String(e["bodyKind"] ?? "transport")
          : ""
  return `${flow}: ${tag}${detail === "" ? "" : ` (${detail})`}`
}

describe("property (b): any token-endpoint answer", () => {
  it(
    "ends every token flow in a sound TokenSet or a documented tagged error, in time, and shows no secret",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          tokenAnswer,
          fc.constantFrom(...FLOWS),
          fc.constantFrom(...(Object.keys(VARIANTS) as Array<Variant>)),
          async (c: Case, flow, variant) => {
            server.serve(c.answer, `/token/${encodeURIComponent(variant)}`)
            const settled = await settle(run(clients.get(variant)!, flow))
            counts.add(outcomeLabel(flow, settled))
            expect(settled.kind, `${flow} / ${variant} / ${c.shape}: hung`).not.toBe("hung")
            if (settled.kind === "hung") return
            if (settled.kind === "ok") {
              expect(tokenSetProblems(settled.value as TokenSet), `${flow} / ${c.shape}`).toEqual([])
            } else {
              const e = settled.value as { _tag?: unknown }
              expect(e, `${flow} / ${c.shape}: not an Error`).toBeInstanceOf(Error)
              expect(ALLOWED[flow], `${flow} / ${c.shape}: ${String(e._tag)}`).toContain(e._tag)
            }
            const leaks = leaksOf(
              `${flow} / ${variant} / ${c.shape}`,
              settled.value,
              { ...heldSecrets(variant, flow), ...c.issued },
              CLIENT_ID,
            )
            expect(leaks).toEqual([])
          },
        ),
        parameters(runsFor(1_200, 0.6)),
      )
    },
    fuzzing ? 3_600_000 : 300_000,
  )
})
