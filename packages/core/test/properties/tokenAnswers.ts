// Arbitrary token-endpoint answers: status, headers, content type, body shape, encoding, size,
// and what happens on the wire (cut, reset, stall). Each answer knows which tokens it issued,
// so a property can check that none of them shows anywhere.
import * as fc from "fast-check"
import type { ScriptedAnswer, Wire } from "../helpers/answerServer.js"
import { spellings } from "../helpers/leaks.js"

/** What the client holds and sends; servers echo these back in the answers below. */
export const SENT = {
  clientSecret: "cl!ent s3cret&more/stuff+here=9",
  refreshToken: "RT-s3nt/&+x y",
  code: "c0de/&+x~Q",
  codeVerifier: "v3rifier-KQ2xT9mWp4Lz7Rb1Nc8Vd5Hf3Jg6Ys0Ae",
} as const
export const CLIENT_ID = "fuzz-app"

export interface Case {
  readonly answer: ScriptedAnswer
  /** Tokens the answer issued (under secret-looking names), by a label. */
  readonly issued: Readonly<Record<string, string>>
  /** A short description of the answer's shape, for the counts. */
  readonly shape: string
}

/** A token: 6 to 48 characters of the usual token alphabets, at least one letter and one digit. */
export const token: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9._~+/=-]{6,48}$/)
  .filter((s) => /[A-Za-z]/.test(s) && /[0-9]/.test(s))

const SECRET_NAMES = [
  "access_token",
  "refresh_token",
  "id_token",
  "accessToken",
  "refreshToken",
  "token",
  "session_token",
  "AccessToken",
  "refresh-token",
] as const

const ERROR_CODES = [
  "invalid_grant",
  "invalid_client",
  "invalid_request",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "server_error",
  "temporarily_unavailable",
  "slow_down",
  "",
] as const

const ECHO_KINDS = spellings(SENT.clientSecret)
  .map(([, kind]) => kind)
  .filter((kind) => !kind.startsWith("fragment"))

/** One of the client's secrets as a server may echo it. */
const echo: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...Object.values(SENT)), fc.constantFrom(...ECHO_KINDS))
  .map(
    ([secret, kind]) => spellings(secret, { clientId: CLIENT_ID }).find(([, k]) => k === kind)?.[0] ?? secret,
  )
const basicEcho = fc
  .constantFrom(
    `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(SENT.clientSecret)}`,
    `${CLIENT_ID}:${SENT.clientSecret}`,
  )
  .map((s) => `Basic ${Buffer.from(s).toString("base64")}`)
const someText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "Bad request",
    "The refresh token is invalid",
    "rate limited",
    "Ω≈ç√ 日本語",
    "\u0000\u001f\u007f",
  ),
)
/** A description that may quote the client's secrets. */
const description = fc
  .array(fc.oneof(someText, echo, basicEcho), { minLength: 0, maxLength: 3 })
  .map((parts) => parts.join(" "))

const tokenType = fc.oneof(
  fc.constantFrom("Bearer", "bearer", "BEARER", "DPoP", "mac", "", " ", "Bearer x", "Bé", null),
  fc.integer(),
  fc.boolean(),
)
const expiresIn = fc.oneof(
  fc.integer({ min: -10, max: 100_000 }),
  fc.constantFrom(0, -1, 3600, 1e12, 1e308, Number.MAX_SAFE_INTEGER, 0.5, null),
  fc.constantFrom("3600", "3600.5", " 60 ", "soon", "", "1e3", "-5", "Infinity", "NaN"),
  fc.double(),
  fc.boolean(),
)
const scope = fc.oneof(
  fc.constantFrom("read write", "read,write", "", null, " ", "read  write"),
  fc.array(fc.constantFrom("read", "write", "", "a b"), { maxLength: 3 }),
  fc.integer(),
)

/** A field holding a token under a secret-looking name, as a string, in an array, an object, or nested. */
const hiddenToken = fc
  .tuple(fc.constantFrom(...SECRET_NAMES), token, fc.constantFrom("string", "array", "object", "nested"))
  .map(([name, t, how]) => {
    const value =
      how === "string" ? t : how === "array" ? [t] : how === "object" ? { value: t } : { data: { [name]: t } }
    return { key: how === "nested" ? `extra_${name}` : name, value, label: `${how} ${name}`, token: t }
  })

/** A success-shaped answer: an access token and any mix of right and wrong other fields. */
/** Mostly right fields (`messy` false) or anything goes (`messy` true). */
const tokenObjectOf = (messy: boolean) =>
  fc
    .record(
      {
        access: messy
          ? fc.oneof(
              token,
              fc.constantFrom("", " ", "AT 1", "AT\n1", "jeton-été1"),
              fc.integer(),
              fc.constant(null),
            )
          : token,
        token_type: messy ? tokenType : fc.constantFrom("Bearer", "bearer", "DPoP", null),
        expires_in: messy
          ? expiresIn
          : fc.oneof(fc.integer({ min: -5, max: 1e9 }), fc.constantFrom("3600", null)),
        refresh: messy ? fc.oneof(token, fc.constantFrom("", " ", null)) : token,
        id: fc.oneof(token, fc.constant(null)),
        scope: messy ? scope : fc.constantFrom("read write", "read,write", "", null),
        hidden: fc.array(hiddenToken, { maxLength: 2 }),
        echoBack: fc.boolean(),
        quote: fc.option(description),
      },
      { requiredKeys: ["access"] },
    )
    .map((r) => {
      const issued: Record<string, string> = {}
      const value: Record<string, unknown> = {}
      if (typeof r.access === "string" && r.access.length >= 6) issued["access_token"] = r.access
      value["access_token"] = r.access
      if ("token_type" in r) value["token_type"] = r.token_type
      if ("expires_in" in r) value["expires_in"] = r.expires_in
      if (r.refresh !== undefined) {
        value["refresh_token"] = r.refresh
        if (typeof r.refresh === "string" && r.refresh.length >= 6) issued["refresh_token"] = r.refresh
      }
      if (r.id !== undefined) {
        value["id_token"] = r.id
        if (typeof r.id === "string") issued["id_token"] = r.id
      }
      if ("scope" in r) value["scope"] = r.scope
      for (const hidden of r.hidden ?? []) {
        if (hidden.key in value) continue
        value[hidden.key] = hidden.value
        issued[hidden.label] = hidden.token
      }
      // Echoes come after the fields they repeat, so a cut that keeps an echo keeps its field too.
      if (r.echoBack === true && typeof r.access === "string") value["note"] = `your token is ${r.access}`
      if (r.quote !== undefined && r.quote !== null) value["message"] = r.quote
      return { value, issued }
    })
const tokenObject = tokenObjectOf(true)

/** An RFC 6749 error (or Cryptohopper's numeric one) that may quote secrets and carry tokens. */
const errorObject = fc
  .record({
    error: fc.oneof(
      fc.constantFrom(...ERROR_CODES),
      fc.constantFrom(1, true, 0, false, null),
      fc.string({ maxLength: 20 }),
    ),
    description: fc.option(description),
    uri: fc.option(fc.oneof(fc.webUrl(), echo)),
    withToken: fc.option(token),
  })
  .map((r) => {
    const issued: Record<string, string> = {}
    const value: Record<string, unknown> = { error: r.error }
    if (r.withToken !== null) {
      value["refresh_token"] = r.withToken
      issued["refresh_token in an error"] = r.withToken
    }
    if (r.description !== null) value["error_description"] = r.description
    if (r.uri !== null) value["error_uri"] = r.uri
    if (r.withToken !== null) value["message"] = `token ${r.withToken} refused`
    return { value, issued }
  })

const html = (inner: string) =>
  `<!doctype html><html><head><title>Error</title></head><body>${inner}</body></html>`
const htmlEscape = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")

type Body = { readonly text: string; readonly issued: Record<string, string>; readonly shape: string }

const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 5,
    arbitrary: tokenObject.map(({ value, issued }) => ({
      text: JSON.stringify(value),
      issued,
      shape: "token JSON",
    })),
  },
  {
    weight: 3,
    arbitrary: errorObject.map(({ value, issued }) => ({
      text: JSON.stringify(value),
      issued,
      shape: "error JSON",
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(tokenObject, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([{ value, issued }, at]) => {
        const full = JSON.stringify(value)
        return { text: full.slice(0, Math.floor(full.length * at)), issued, shape: "token JSON cut" }
      }),
  },
  {
    weight: 1,
    arbitrary: tokenObject.map(({ value, issued }) => ({
      text: new URLSearchParams(
        Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      ).toString(),
      issued,
      shape: "token form",
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(token, token, description, fc.constantFrom("pre", "table", "input", "text"))
      .map(([a, r, d, how]) => {
        const inner =
          how === "pre"
            ? `<pre>${htmlEscape(JSON.stringify({ access_token: a, refresh_token: r }))}</pre><p>${htmlEscape(d)}</p>`
            : how === "table"
              ? `<table><tr><td>access_token</td><td>${a}</td></tr><tr><td>refresh_token</td><td>${r}</td></tr></table><p>${htmlEscape(d)}</p>`
              : how === "input"
                ? `<form><input name="access_token" value="${a}"><input type="hidden" name="refresh_token" value="${r}"></form>${d}`
                : `<h1>Blocked</h1><p>access_token: ${a}<br>refresh_token=${r}</p><p>${d}</p>`
        return { text: html(inner), issued: { "html access": a, "html refresh": r }, shape: `HTML ${how}` }
      }),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((text) => ({ text, issued: {}, shape: "any JSON" })) },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ text, issued: {}, shape: "any text" })),
  },
  { weight: 1, arbitrary: description.map((text) => ({ text, issued: {}, shape: "echo text" })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("", " ", "\n", "null", "[]", '""', "{}")
      .map((text) => ({ text, issued: {}, shape: "empty-ish" })),
  },
)

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json;charset=ISO-8859-1",
  "text/html; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/problem+json",
  "application/octet-stream",
  "garbage/;;;",
  undefined,
)

const encoding = fc.constantFrom("utf8", "utf8", "utf8", "utf8-bom", "latin1", "utf16le", "invalid-bytes")

const encode = (text: string, how: string): Uint8Array => {
  switch (how) {
    case "utf8-bom":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")])
    case "latin1":
      return Buffer.from(text, "latin1")
    case "utf16le":
      return Buffer.from(text, "utf16le")
    case "invalid-bytes":
      return Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0xc3, 0x28, 0xff, 0xfe])])
    default:
      return Buffer.from(text, "utf8")
  }
}

const status = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(200, 400, 401) },
  { weight: 2, arbitrary: fc.constantFrom(201, 204, 403, 404, 405, 408, 421, 429, 500, 502, 503, 504) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
)

/** A header now and then: each is absent most of the time, as in real answers. */
const rarely = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value })

const extraHeaders = fc
  .record({
    "retry-after": rarely(
      fc.constantFrom("0", "1", "3600", "soon", new Date(Date.now() + 5_000).toUTCString(), ""),
    ),
    "www-authenticate": rarely(
      fc.constantFrom(
        'Bearer error="invalid_client"',
        'Basic realm="x"',
        'Bearer error="invalid_grant", error_description="refresh_token RT-9xYz0 revoked"',
        "garbage",
      ),
    ),
    // A compressed-looking answer whose body is not compressed.
    "content-encoding": rarely(fc.constantFrom("gzip", "identity", "br")),
    location: rarely(fc.constantFrom("https://elsewhere.example/token", "/token2")),
  })
  .map(
    (h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>,
  )

const wire: fc.Arbitrary<Wire> = fc.oneof(
  { weight: 40, arbitrary: fc.constant("normal" as const) },
  { weight: 1, arbitrary: fc.constantFrom("cut" as const, "reset" as const) },
  { weight: 1, arbitrary: fc.constantFrom("stall" as const, "stall-body" as const) },
)

/** Pads a body to a size near or over the transport's cap (1 MiB by default), now and then. */
const size = fc.oneof(
  { weight: 60, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(64 * 1024, 1024 * 1024 + 1) },
)

/** What a working server answers, give or take: 200, JSON, sane fields, tokens hidden in extras. */
const plausible: fc.Arbitrary<Case> = fc
  .record({
    status: fc.constantFrom(200, 200, 201),
    object: tokenObjectOf(false),
    contentType: fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
    ),
  })
  .map((r) => ({
    answer: {
      status: r.status,
      headers: { "content-type": r.contentType },
      body: JSON.stringify(r.object.value),
    },
    issued: r.object.issued,
    shape: "plausible token JSON",
  }))

const anyAnswer: fc.Arbitrary<Case> = fc
  .record({ status, body, contentType, encoding, extraHeaders, wire, size })
  .map((r) => {
    const bytes = encode(r.size > 0 ? r.body.text + " ".repeat(r.size) : r.body.text, r.encoding)
    const headers: Record<string, string> = { ...r.extraHeaders }
    if (r.contentType !== undefined) headers["content-type"] = r.contentType
    return {
      answer: { status: r.status, headers, body: bytes, wire: r.wire },
      issued: r.body.issued,
      shape: `${r.body.shape}${r.wire === "normal" ? "" : `, ${r.wire}`}`,
    }
  })

export const tokenAnswer: fc.Arbitrary<Case> = fc.oneof(
  { weight: 1, arbitrary: plausible },
  { weight: 3, arbitrary: anyAnswer },
)
