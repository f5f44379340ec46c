// Feeds known secrets (client secret, access token, refresh token, code, code verifier) through
// every error path of @grantflow/core and every object it hands out, and scans each `message`,
// `String(x)`, `JSON.stringify(x)`, `util.inspect(x, { depth: 10 })` and `stack` for them, plus
// the spans and log lines of Effect programs running the flows.
//
// The secrets are deliberately short or full of spaces and punctuation: grantflow's generic
// "looks like a token" scrubbing only catches long base64-ish runs, so these prove that the
// values the client itself sent are recognised and removed wherever a server repeats them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { OAuth, Providers, createOAuthClient, type OAuthClient, type Provider } from "../src/index.js"
import {
  leaksIn as leaksInText,
  leaksOf as leaksOfValue,
  spellings as spellingsOf,
  type Secrets,
} from "./helpers/leaks.js"

type GenericOptions = Providers.GenericOptions

const CLIENT_ID = "redaction-app"
const REDIRECT_URI = "https://app.example/callback"

/** What the client holds and sends. */
const SENT = {
  clientSecret: "cl!ent s3cret & more/stuff+here",
  accessToken: "AT-4f9Qz.kL2",
  refreshToken: "RT-8mWq_x7P",
  code: "c0de~Xy7Lq",
  codeVerifier: "v3rifier-KQ2xT9mWp4Lz7Rb1Nc8Vd5Hf3Jg6Ys0Ae",
} as const

/** What the test server issues (the client only learns these from the response). */
const ISSUED = {
  accessToken: "iAT-7Hq2.Wz",
  refreshToken: "iRT-5Lp9_Xc",
  idToken: "iID-3Kd8~Vn",
} as const

// ---------------------------------------------------------------------------------------------
// Scanning

// The scanner is test/helpers/leaks.ts; every secret here is also looked for inside Basic
// credentials with this file's client id.
const spellings = (secret: string) => spellingsOf(secret, { clientId: CLIENT_ID })
const leaksIn = (label: string, text: string, secrets: Secrets): Array<string> =>
  leaksInText(label, text, secrets, CLIENT_ID)
const leaksOf = (label: string, x: unknown, secrets: Secrets): Array<string> =>
  leaksOfValue(label, x, secrets, CLIENT_ID)

const settle = async (p: Promise<unknown>): Promise<{ ok: boolean; value: unknown }> => {
  try {
    return { ok: true, value: await p }
  } catch (e) {
    return { ok: false, value: e }
  }
}

// ---------------------------------------------------------------------------------------------
// The reflecting server.
//
// No real authorization server repeats a client's secret back on purpose. But error pages of
// proxies and WAFs dump the request they refused, debug builds quote the bad value in
// error_description, and an endpoint misconfigured to point at an echo service (httpbin-style)
// returns the whole request as JSON. This local server does each of those on demand, so every
// decoding path of the client sees its own secrets coming back. Paths:
//   /<anything>/<shape>/<status>  reflect the request in <shape> with HTTP <status>
//   /reset                        read the request, then destroy the socket
//   /hang                         read the request and never answer

interface Reflection {
  readonly path: string
  readonly fields: Record<string, string>
  readonly basicSecret: string | undefined
  readonly rawBody: string
  readonly authorization: string | undefined
}

const parseRequest = (req: IncomingMessage, rawBody: string): Reflection => {
  let fields: Record<string, string> = {}
  if ((req.headers["content-type"] ?? "").includes("json")) {
    try {
      fields = JSON.parse(rawBody) as Record<string, string>
    } catch {
      fields = {}
    }
  } else {
    fields = Object.fromEntries(new URLSearchParams(rawBody))
  }
  const authorization = req.headers.authorization
  let basicSecret: string | undefined
  if (authorization?.startsWith("Basic ")) {
    const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8")
    const secret = decoded.slice(decoded.indexOf(":") + 1)
    basicSecret = decodeURIComponent(secret.replace(/\+/g, "%20"))
  }
  return { path: req.url ?? "", fields, basicSecret, rawBody, authorization }
}

/** Each value the server received, as a debug page would list it. */
const receivedLine = (r: Reflection) =>
  [
    ...Object.entries(r.fields).map(([k, v]) => `${k} '${v}'`),
    ...(r.basicSecret === undefined ? [] : [`basic secret '${r.basicSecret}'`]),
  ].join(", ")

const SHAPES = {
  /** RFC 6749 §5.2 error whose description and uri quote what was received. */
  "oauth-error": (r: Reflection) => ({
    type: "application/json",
    body: JSON.stringify({
      error: "invalid_request",
      error_description: `rejected: ${receivedLine(r)}`,
      error_uri: `https://errors.example/help?${r.rawBody}`,
    }),
  }),
  /** Cryptohopper-style `{ error: 1, message }` quoting the values. */
  "message-error": (r: Reflection) => ({
    type: "application/json",
    body: JSON.stringify({ status: 400, code: 0, error: 1, message: `Invalid request: ${receivedLine(r)}` }),
  }),
  /** A proxy's error page dumping the refused request. */
  html: (r: Reflection) => ({
    type: "text/html; charset=utf-8",
    body: `<html><head><title>Blocked</title></head><body><p>${receivedLine(r)}</p><pre>${r.rawBody}\nAuthorization: ${r.authorization ?? ""}</pre></body></html>`,
  }),
  /** An echo service: the request as JSON, no access_token. */
  "json-echo": (r: Reflection) => ({
    type: "application/json",
    body: JSON.stringify({ form: r.fields, data: r.rawBody, headers: { Authorization: r.authorization } }),
  }),
  "plain-text": (r: Reflection) => ({ type: "text/plain", body: `Bad request. Received ${receivedLine(r)}` }),
  /** A token response cut off mid-way, after the tokens and the echo. */
  truncated: (r: Reflection) => {
    const full = JSON.stringify({
      access_token: ISSUED.accessToken,
      refresh_token: ISSUED.refreshToken,
      note: receivedLine(r),
      token_type: "Bearer",
    })
    return { type: "application/json", body: full.slice(0, full.length - 20) }
  },
  /** A token response whose fields have the wrong types. */
  "bad-types": (r: Reflection) => ({
    type: "application/json",
    body: JSON.stringify({
      access_token: ISSUED.accessToken,
      refresh_token: ISSUED.refreshToken,
      id_token: ISSUED.idToken,
      token_type: 42,
      expires_in: "soon",
      echo: receivedLine(r),
    }),
  }),
  /** Larger than any sane token response, the echo first. */
  huge: (r: Reflection) => ({
    type: "text/plain",
    body: `${receivedLine(r)} ${"x".repeat(2 * 1024 * 1024)}`,
  }),
  /** A valid token response. */
  ok: () => ({
    type: "application/json",
    body: JSON.stringify({
      access_token: ISSUED.accessToken,
      refresh_token: ISSUED.refreshToken,
      id_token: ISSUED.idToken,
      token_type: "bearer",
      expires_in: 3600,
      scope: "read write",
    }),
  }),
} as const
type Shape = keyof typeof SHAPES

/** Every reflecting answer an error path is fed: shape x status, plus a 401 challenge. */
const ERROR_CASES: ReadonlyArray<string> = [
  ...(
    [
      "oauth-error",
      "message-error",
      "html",
      "json-echo",
      "plain-text",
      "truncated",
      "bad-types",
      "huge",
    ] as const
  ).flatMap((shape) => [200, 400, 502].map((status) => `${shape}/${status}`)),
  "www-authenticate/401",
]

interface ReflectingServer {
  readonly url: string
  readonly received: Array<Reflection>
  stop(): Promise<void>
}

const startReflectingServer = async (): Promise<ReflectingServer> => {
  const received: Array<Reflection> = []
  const hanging = new Set<ServerResponse>()
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const reflection = parseRequest(req, Buffer.concat(chunks).toString("utf8"))
      received.push(reflection)
      const parts = (req.url ?? "").split("?")[0]!.split("/").filter(Boolean)
      if (parts[0] === "reset") {
        req.socket.destroy()
        return
      }
      if (parts[0] === "hang") {
        hanging.add(res)
        return
      }
      const [shape, status] = [parts.at(-2) ?? "", Number(parts.at(-1))]
      if (shape === "www-authenticate") {
        const description = receivedLine(reflection).replaceAll('"', "'")
        res.writeHead(401, {
          "www-authenticate": `Bearer error="invalid_client", error_description="${description}"`,
        })
        res.end()
        return
      }
      const make = SHAPES[shape as Shape]
      if (make === undefined || !Number.isInteger(status)) {
        res.writeHead(404).end()
        return
      }
      const { type, body } = make(reflection)
      res.writeHead(status, { "content-type": type })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A port nothing listens on (bound, then released). */
const closedPort = async (): Promise<number> => {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

// ---------------------------------------------------------------------------------------------

/** How the client authenticates and encodes its requests. */
const VARIANTS = {
  "client_secret_basic, form body": { clientAuth: "client_secret_basic", tokenRequestBody: "form" },
  "client_secret_post, form body": { clientAuth: "client_secret_post", tokenRequestBody: "form" },
  "client_secret_post, JSON body": { clientAuth: "client_secret_post", tokenRequestBody: "json" },
} as const satisfies Record<string, GenericOptions["dialect"]>

const SECRET_FIELDS = new Set(["client_secret", "code", "code_verifier", "refresh_token", "token"])

describe("no secret escapes through errors, objects, spans or logs", { timeout: 60_000 }, () => {
  let server: ReflectingServer
  const open: Array<OAuthClient> = []

  const providerAt = (
    base: string,
    dialect: GenericOptions["dialect"],
    extra: Partial<GenericOptions> = {},
  ) =>
    Providers.generic({
      authorizationEndpoint: `${server.url}/authorize`,
      tokenEndpoint: base,
      revocationEndpoint: base,
      clientId: CLIENT_ID,
      clientSecret: SENT.clientSecret,
      redirectUri: REDIRECT_URI,
      dialect,
      ...extra,
    })
  const clientOf = (provider: Provider, timeoutMs = 5_000) => {
    const client = createOAuthClient(provider, { timeoutMs, retries: 0 })
    open.push(client)
    return client
  }

  /** Every secret the server saw in requests since `from` (e.g. generated verifiers), by field name. */
  const receivedSince = (from: number): Secrets => {
    const out: Record<string, string> = {}
    for (const r of server.received.slice(from)) {
      for (const [k, v] of Object.entries(r.fields)) if (SECRET_FIELDS.has(k)) out[`sent ${k}`] = v
      if (r.basicSecret !== undefined) out["sent basic secret"] = r.basicSecret
    }
    return out
  }

  type Flow = {
    readonly run: (client: OAuthClient) => Promise<unknown>
    /** What the request must have carried, or the case proves nothing. */
    readonly carries: ReadonlyArray<keyof typeof SENT | "codeVerifier (generated)">
  }
  const FLOWS: Record<string, Flow> = {
    "client credentials": {
      run: (c) => c.clientCredentials({ scopes: ["read"] }),
      carries: ["clientSecret"],
    },
    "code exchange": {
      run: (c) => c.exchangeCode(SENT.code, { codeVerifier: Redacted.make(SENT.codeVerifier) }),
      carries: ["clientSecret", "code", "codeVerifier"],
    },
    callback: {
      run: async (c) => {
        const { state } = await c.authorizationUrl({ scopes: ["read"] })
        return c.handleCallback(`${REDIRECT_URI}?code=${encodeURIComponent(SENT.code)}&state=${state}`)
      },
      carries: ["clientSecret", "code", "codeVerifier (generated)"],
    },
    refresh: { run: (c) => c.refresh(SENT.refreshToken), carries: ["clientSecret", "refreshToken"] },
    revoke: {
      run: (c) => c.revoke(Redacted.make(SENT.accessToken), { hint: "access_token" }),
      carries: ["clientSecret", "accessToken"],
    },
  }

  /** Did the request really carry the secret this case is about? */
  const carried = (r: Reflection, what: Flow["carries"][number]): boolean => {
    const values = [...Object.values(r.fields), r.basicSecret]
    if (what === "codeVerifier (generated)")
      return /^[A-Za-z0-9_-]{43,128}$/.test(r.fields["code_verifier"] ?? "")
    return values.includes(SENT[what])
  }

  beforeAll(async () => {
    server = await startReflectingServer()
  })

  afterAll(async () => {
    await Promise.all(open.map((c) => c.dispose()))
    await server?.stop()
  })

  it("has a scanner that finds a secret in any of its spellings, whole or cut", () => {
    const missed = spellings(SENT.clientSecret)
      .map(([spelling, kind]) => [kind, new Error(`server said: ${spelling}.`)] as const)
      .filter(([, error]) => leaksOf("probe", error, { clientSecret: SENT.clientSecret }).length === 0)
      .map(([kind]) => kind)
    expect(missed).toEqual([])
    expect(leaksOf("probe", { excerpt: "code=<redacted>" }, SENT)).toEqual([])
  })

  describe.each(Object.entries(FLOWS))("%s", (flowName, flow) => {
    it("keeps every secret out of the errors made from answers that reflect the request", async () => {
      const leaks: Array<string> = []
      const notCarried: Array<string> = []
      const succeeded: Array<string> = []
      for (const [variantName, dialect] of Object.entries(VARIANTS)) {
        for (const errorCase of ERROR_CASES) {
          const label = `${flowName} / ${variantName} / ${errorCase}`
          const from = server.received.length
          const outcome = await settle(
            flow.run(clientOf(providerAt(`${server.url}/token/${errorCase}`, dialect))),
          )
          const request = server.received.at(-1)
          for (const what of flow.carries) {
            if (request === undefined || !carried(request, what)) notCarried.push(`${label}: ${what}`)
          }
          if (outcome.ok) succeeded.push(label)
          leaks.push(...leaksOf(label, outcome.value, { ...SENT, ...ISSUED, ...receivedSince(from) }))
        }
      }
      expect(notCarried).toEqual([])
      // Revocation succeeds on a 2xx whatever its body (unless the body is over the size cap);
      // every other case must fail, or its error was never scanned.
      const revokedAnyway = ERROR_CASES.filter((c) => c.endsWith("/200") && !c.startsWith("huge/"))
      expect(succeeded).toEqual(
        flowName === "revoke"
          ? Object.keys(VARIANTS).flatMap((v) => revokedAnyway.map((c) => `${flowName} / ${v} / ${c}`))
          : [],
      )
      expect(leaks).toEqual([])
    })

    it("keeps every secret out of transport errors (refused, reset, timeout)", async () => {
      const refused = `http://127.0.0.1:${await closedPort()}/token`
      const leaks: Array<string> = []
      const tags: Array<string> = []
      for (const [name, endpoint, timeoutMs] of [
        ["refused", refused, 5_000],
        ["reset", `${server.url}/reset`, 5_000],
        ["timeout", `${server.url}/hang`, 300],
      ] as const) {
        const from = server.received.length
        const outcome = await settle(
          flow.run(clientOf(providerAt(endpoint, VARIANTS["client_secret_post, form body"]), timeoutMs)),
        )
        expect(outcome.ok, name).toBe(false)
        tags.push(`${name}: ${(outcome.value as { _tag?: string })._tag}`)
        leaks.push(...leaksOf(`${flowName} / ${name}`, outcome.value, { ...SENT, ...receivedSince(from) }))
      }
      expect(tags).toEqual(["refused: TransportError", "reset: TransportError", "timeout: TransportError"])
      expect(leaks).toEqual([])
    })
  })

  it("keeps the code out of state mismatches", async () => {
    const client = clientOf(
      providerAt(`${server.url}/token/ok/200`, VARIANTS["client_secret_basic, form body"], {
        issuer: "https://idp.example",
      }),
    )
    const code = encodeURIComponent(SENT.code)
    const issued = await client.authorizationUrl({ scopes: ["read"] })
    const second = await client.authorizationUrl({ scopes: ["read"] })
    const cases = {
      unknown: `${REDIRECT_URI}?code=${code}&state=never-issued`,
      missing: `${REDIRECT_URI}?code=${code}`,
      "two states": `${REDIRECT_URI}?code=${code}&state=${issued.state}&state=other`,
      issuer: `${REDIRECT_URI}?code=${code}&state=${second.state}&iss=${encodeURIComponent("https://evil.example")}`,
      replay: `${REDIRECT_URI}?code=${code}&state=${second.state}&iss=${encodeURIComponent("https://idp.example")}`,
    }
    const leaks: Array<string> = []
    const tags: Array<string> = []
    for (const [name, callback] of Object.entries(cases)) {
      const outcome = await settle(client.handleCallback(callback))
      tags.push(`${name}: ${(outcome.value as { _tag?: string })._tag}`)
      leaks.push(...leaksOf(`state ${name}`, outcome.value, SENT))
    }
    expect(tags).toEqual(Object.keys(cases).map((name) => `${name}: StateMismatch`))
    expect(leaks).toEqual([])
  })

  it("keeps the callback's code out of authorization errors, in the RFC and in Cryptohopper's error=1 format", async () => {
    const rfc = clientOf(providerAt(`${server.url}/token/ok/200`, VARIANTS["client_secret_basic, form body"]))
    const hopper = clientOf(
      Providers.cryptohopper({
        clientId: CLIENT_ID,
        clientSecret: SENT.clientSecret,
        redirectUri: REDIRECT_URI,
        endpoints: { authorization: `${server.url}/authorize`, token: `${server.url}/token/ok/200` },
      }),
    )
    const code = encodeURIComponent(SENT.code)
    // A callback carrying an error can come from anyone; here it also repeats the code it carries.
    const echo = encodeURIComponent(`request for code ${SENT.code} denied`)
    const cases: Array<readonly [string, OAuthClient, (state: string) => string]> = [
      ["rfc", rfc, (s) => `?error=access_denied&error_description=${echo}&code=${code}&state=${s}`],
      [
        "rfc with error_uri",
        rfc,
        (s) =>
          `?error=access_denied&error_uri=${encodeURIComponent(`https://idp.example/e?code=${SENT.code}`)}&state=${s}`,
      ],
      ["rfc without state", rfc, () => `?error=access_denied&error_description=${echo}&code=${code}`],
      ["error=1 message", hopper, (s) => `?error=1&message=${echo}&code=${code}&state=${s}`],
      ["error=1 description", hopper, (s) => `?error=1&error_description=${echo}&code=${code}&state=${s}`],
    ]
    const leaks: Array<string> = []
    const tags: Array<string> = []
    for (const [name, client, query] of cases) {
      const { state } = await client.authorizationUrl({ scopes: ["read"] })
      const outcome = await settle(client.handleCallback(`${REDIRECT_URI}${query(state)}`))
      tags.push(`${name}: ${(outcome.value as { _tag?: string })._tag}`)
      leaks.push(...leaksOf(`authorization ${name}`, outcome.value, SENT))
    }
    expect(tags).toEqual(cases.map(([name]) => `${name}: AuthorizationError`))
    expect(leaks).toEqual([])
  })

  it("keeps secrets out of configuration errors, even when the bad setting contains them", async () => {
    const secret = SENT.clientSecret
    const base = { clientId: CLIENT_ID, clientSecret: secret }
    const client = clientOf(
      providerAt(`${server.url}/token/ok/200`, VARIANTS["client_secret_basic, form body"]),
    )
    const noRevocation = clientOf(
      Providers.generic({
        ...base,
        tokenEndpoint: `${server.url}/token/ok/200`,
        apiBase: `${server.url}/api`,
      }),
    )
    const attempts: Record<string, () => unknown> = {
      "plain http to a remote host": () =>
        Providers.generic({ ...base, tokenEndpoint: "http://idp.example/token" }),
      "credentials in the URL": () =>
        Providers.generic({
          ...base,
          tokenEndpoint: `https://${CLIENT_ID}:${encodeURIComponent(secret)}@idp.example/token`,
        }),
      "secret in a query with a fragment": () =>
        Providers.generic({
          ...base,
          tokenEndpoint: `https://idp.example/token?client_secret=${encodeURIComponent(secret)}#x`,
        }),
      "not a URL": () => Providers.generic({ ...base, tokenEndpoint: `token ${secret}` }),
      "redirect URI with a code and a fragment": () =>
        Providers.generic({
          ...base,
          tokenEndpoint: "https://idp.example/token",
          redirectUri: `https://app.example/cb?code=${SENT.code}#done`,
        }),
      "a secret as a scope": () =>
        Providers.generic({ ...base, tokenEndpoint: "https://idp.example/token", scopes: [secret] }),
      "discovery of a plain-http issuer": () =>
        Providers.discover(`http://idp.example/?secret=${encodeURIComponent(secret)}`, base),
      "a verifier as a protocol parameter": () =>
        client.authorizationUrl({ extraParams: { code_challenge: SENT.codeVerifier } }),
      "an insecure redirect override carrying a code": () =>
        client.authorizationUrl({ redirectUri: `http://evil.example/cb?code=${SENT.code}` }),
      "fetch to a host that is not the provider's": () =>
        noRevocation.fetch(`https://elsewhere.example/data?access_token=${SENT.accessToken}`),
      "revoke without a revocation endpoint": () => noRevocation.revoke(SENT.accessToken),
    }
    const leaks: Array<string> = []
    const tags: Array<string> = []
    for (const [name, attempt] of Object.entries(attempts)) {
      const outcome = await settle(Promise.resolve().then(attempt))
      tags.push(`${name}: ${(outcome.value as { _tag?: string })._tag}`)
      leaks.push(...leaksOf(`config ${name}`, outcome.value, SENT))
    }
    expect(tags).toEqual(Object.keys(attempts).map((name) => `${name}: ConfigError`))
    expect(leaks).toEqual([])
  })

  it("shows no secret in a provider, a client, a token set or an authorization request", async () => {
    const leaks: Array<string> = []
    for (const [variantName, dialect] of Object.entries(VARIANTS)) {
      const provider = providerAt(`${server.url}/token/ok/200`, dialect)
      const client = clientOf(provider)
      const from = server.received.length
      const tokens = await client.exchangeCode(SENT.code, { codeVerifier: SENT.codeVerifier })
      const refreshed = await client.refresh(SENT.refreshToken)
      const request = await client.authorizationUrl({ scopes: ["read"] })
      const callbackTokens = await client.handleCallback(
        `${REDIRECT_URI}?code=${SENT.code}&state=${request.state}`,
      )
      const all = { ...SENT, ...ISSUED, ...receivedSince(from) }
      // The token sets really hold the issued secrets, just not printably.
      expect(Redacted.value(tokens.accessToken)).toBe(ISSUED.accessToken)
      expect(Redacted.value(refreshed.refreshToken!)).toBe(ISSUED.refreshToken)
      expect(Redacted.value(callbackTokens.idToken!)).toBe(ISSUED.idToken)
      for (const [name, x] of Object.entries({ provider, client, tokens, refreshed, callbackTokens })) {
        leaks.push(...leaksOf(`${variantName} ${name}`, x, all))
      }
      // The URL carries the challenge, never the verifier.
      leaks.push(...leaksOf(`${variantName} authorization request`, request, all))
    }
    expect(leaks).toEqual([])
  })

  it("keeps every secret out of span names, attributes, events and exits, and out of logged causes", async () => {
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span(options) {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      },
    })
    const lines: Array<string> = []
    const capture = Logger.make((options) => {
      lines.push(
        `${options.logLevel} ${inspect(options.message, { depth: 10 })} ${Cause.pretty(options.cause)}`,
      )
    })

    const provider = (
      path: string,
      dialect: GenericOptions["dialect"] = VARIANTS["client_secret_basic, form body"],
    ) => providerAt(`${server.url}${path}`, dialect)
    // What an application would do: log failures with their cause, and log what it got.
    const observed = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
      effect.pipe(
        Effect.tap((value) => Effect.logDebug(`${name} succeeded`, value)),
        Effect.tapCause((cause) => Effect.logError(`${name} failed`, cause)),
        Effect.exit,
      )
    const from = server.received.length
    const program = Effect.gen(function* () {
      const exits: Array<Exit.Exit<unknown, unknown>> = []
      exits.push(
        yield* observed("client credentials", OAuth.clientCredentials(provider("/token/ok/200"), {})),
      )
      exits.push(
        yield* observed(
          "code exchange",
          OAuth.exchangeCode(provider("/token/oauth-error/400"), {
            code: SENT.code,
            codeVerifier: SENT.codeVerifier,
          }),
        ),
      )
      exits.push(
        yield* observed(
          "refresh",
          OAuth.refresh(
            provider("/token/html/502", VARIANTS["client_secret_post, JSON body"]),
            SENT.refreshToken,
          ),
        ),
      )
      exits.push(
        yield* observed("revoke", OAuth.revoke(provider("/token/www-authenticate/401"), SENT.accessToken)),
      )
      exits.push(yield* observed("transport", OAuth.refresh(provider("/reset"), SENT.refreshToken)))
      const p = provider("/token/bad-types/200")
      const { state } = yield* OAuth.authorize(p, { scopes: ["read"] })
      exits.push(
        yield* observed(
          "callback",
          OAuth.handleCallback(p, `${REDIRECT_URI}?code=${SENT.code}&state=${state}`),
        ),
      )
      exits.push(
        yield* observed(
          "state mismatch",
          OAuth.handleCallback(p, `${REDIRECT_URI}?code=${SENT.code}&state=${state}`),
        ),
      )
      return exits
    })
    const exits = await Effect.runPromise(
      program.pipe(
        Effect.withTracer(tracer),
        Effect.provide(Logger.layer([capture])),
        Effect.provideService(References.MinimumLogLevel, "All"),
        Effect.provide(OAuth.layer({ timeoutMs: 5_000, retries: 0 })),
      ),
    )

    // The program really ran the flows, traced and logged them: otherwise this proves nothing.
    expect(exits.map((e) => (Exit.isSuccess(e) ? "ok" : "failed"))).toEqual([
      "ok",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
    ])
    const names = new Set(spans.map((s) => s.name))
    for (const name of [
      "OAuth.clientCredentials",
      "OAuth.exchangeCode",
      "OAuth.refresh",
      "OAuth.revoke",
      "OAuth.handleCallback",
    ]) {
      expect(names).toContain(name)
    }
    expect(lines.filter((l) => l.startsWith("Error"))).toHaveLength(6)

    const all = { ...SENT, ...ISSUED, ...receivedSince(from) }
    const leaks: Array<string> = []
    for (const span of spans) {
      const label = `span ${span.name}`
      leaks.push(...leaksIn(`${label} name`, span.name, all))
      leaks.push(...leaksIn(`${label} attributes`, inspect(span.attributes, { depth: 10 }), all))
      leaks.push(...leaksIn(`${label} events`, inspect(span.events, { depth: 10 }), all))
      leaks.push(...leaksIn(`${label} links`, inspect(span.links, { depth: 10 }), all))
      if (span.status._tag === "Ended") {
        const exit = span.status.exit
        leaks.push(...leaksIn(`${label} exit`, inspect(exit, { depth: 10 }), all))
        if (Exit.isFailure(exit)) leaks.push(...leaksIn(`${label} cause`, Cause.pretty(exit.cause), all))
      }
    }
    lines.forEach((line, i) => leaks.push(...leaksIn(`log line ${i}`, line, all)))
    exits.forEach((exit, i) => leaks.push(...leaksOf(`exit ${i}`, exit, all)))
    expect(leaks).toEqual([])
  })
})
