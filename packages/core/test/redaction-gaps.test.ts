// Issue 12, hole 2: secrets the client holds and tokens the server issued stay out of every
// rendering of every error and value, in any spelling a server echoes them and wherever in an
// answer the server puts them. A local server plays the misbehaving token endpoint.
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Providers, type OAuthClient } from "../src/index.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { leaksOf, spellings } from "./helpers/leaks.js"

const CLIENT_ID = "gaps-app"
const SENT = {
  clientSecret: "cl!ent s3cret&more/stuff+here=9",
  refreshToken: "RT-s3nt/&+x",
  code: "c0de/&+x y",
} as const

interface Answer {
  readonly status: number
  readonly type: string
  readonly body: string
  readonly headers?: Record<string, string>
}

/** What the server received, so it can echo it back. */
interface Received {
  readonly values: ReadonlyArray<string>
  readonly authorization: string
}

const readValues = (req: IncomingMessage, body: string): Received => {
  const values = [...new URLSearchParams(body).entries()]
    .filter(([k]) => ["client_secret", "refresh_token", "code"].includes(k))
    .map(([, v]) => v)
  const authorization = req.headers.authorization ?? ""
  if (authorization.startsWith("Basic ")) {
    const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8")
    values.push(decodeURIComponent(decoded.slice(decoded.indexOf(":") + 1).replace(/\+/g, "%20")))
  }
  return { values, authorization: authorization.slice(6) }
}

/** Each spelling a framework may give an echoed value in (the scanner's list, minus the fragments). */
const ECHO_SPELLINGS = spellings(SENT.clientSecret)
  .map(([, kind]) => kind)
  .filter((kind) => !kind.startsWith("fragment"))

const spell = (kind: string, value: string): string =>
  spellings(value).find(([, k]) => k === kind)?.[0] ?? value

const ECHOES: Record<string, (r: Received, kind: string) => Answer> = {
  "an RFC 6749 error description": (r, kind) => ({
    status: 400,
    type: "application/json",
    body: JSON.stringify({
      error: "invalid_request",
      error_description: `rejected ${r.values.map((v) => spell(kind, v)).join(" and ")} (auth ${r.authorization})`,
    }),
  }),
  "Cryptohopper's error=1 message": (r, kind) => ({
    status: 200,
    type: "application/json",
    body: JSON.stringify({ error: 1, message: `bad ${r.values.map((v) => spell(kind, v)).join(", ")}` }),
  }),
  "a text/plain 400": (r, kind) => ({
    status: 400,
    type: "text/plain",
    body: `Bad request: ${r.values.map((v) => spell(kind, v)).join(" ")} Authorization: Basic ${r.authorization}`,
  }),
  "an HTML error page": (r, kind) => ({
    status: 502,
    type: "text/html",
    body: `<html><body><h1>Bad gateway</h1><p>${r.values.map((v) => spell(kind, v)).join("<br>")}</p></body></html>`,
  }),
}

/** Answers carrying tokens the client never sent: where an issued token can hide. */
const ISSUED_IN: Record<string, { readonly answer: Answer; readonly tokens: Record<string, string> }> = {
  "a short token in an array": {
    answer: { status: 200, type: "application/json", body: '{"access_token":["Zq8LmNpRtWvXyAbCdE2f"]}' },
    tokens: { array: "Zq8LmNpRtWvXyAbCdE2f" },
  },
  "a token in an object": {
    answer: { status: 200, type: "application/json", body: '{"access_token":{"value":"to.ken~xYz"}}' },
    tokens: { object: "to.ken~xYz" },
  },
  "tokens under camelCase names": {
    answer: {
      status: 200,
      type: "application/json",
      body: '{"accessToken":"sHoRtTok","refreshToken":"rEfrEsHy","token_type":"Bearer"}',
    },
    tokens: { accessToken: "sHoRtTok", refreshToken: "rEfrEsHy" },
  },
  "an HTML page quoting a token response": {
    answer: {
      status: 200,
      type: "text/html; charset=utf-8",
      body: "<html><body><pre>{&quot;access_token&quot;:&quot;plainword&quot;}</pre><table><tr><td>refresh_token</td><td>AbcdEfgh</td></tr></table></body></html>",
    },
    tokens: { quoted: "plainword", cell: "AbcdEfgh" },
  },
  "a token in a form field of an HTML page sent as JSON (found by the token-answer property)": {
    answer: {
      status: 401,
      type: "application/json",
      body: '\ufeff<!doctype html><html><body><form><input name="access_token" value="k_-68/x"></form></body></html>',
    },
    tokens: { field: "k_-68/x" },
  },
  "a body cut mid-token": {
    answer: {
      status: 200,
      type: "application/json",
      body: '{"token_type":"Bearer","access_token":"Zq8LmNpRtWv',
    },
    tokens: { cut: "Zq8LmNpRtWv" },
  },
  "a 400 that repeats the token it refers to": {
    answer: {
      status: 400,
      type: "application/json",
      body: '{"error":"invalid_grant","error_description":"token abcdxyzw is revoked","refresh_token":"abcdxyzw"}',
    },
    tokens: { repeated: "abcdxyzw" },
  },
  "a token doubly JSON-encoded in a description": {
    answer: {
      status: 502,
      type: "application/json",
      body: JSON.stringify({
        error: "server_error",
        error_description: JSON.stringify({ id_token: "inNerTok" }),
      }),
    },
    tokens: { nested: "inNerTok" },
  },
}

let server: Server
let base: string
const pool = clientPool()

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ""
    req.on("data", (c: Buffer) => (body += c.toString("utf8")))
    req.on("end", () => {
      const [, group, name, kind] = (req.url ?? "").split("/").map(decodeURIComponent)
      const answer =
        group === "echo"
          ? ECHOES[name!]!(readValues(req, body), kind!)
          : group === "issued"
            ? ISSUED_IN[name!]!.answer
            : undefined
      if (answer === undefined) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(answer.status, { "content-type": answer.type, ...answer.headers })
      res.end(answer.body)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await pool.disposeAll()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const clientAt = (path: string, clientAuth: "client_secret_basic" | "client_secret_post") => {
  const c = pool.make(
    Providers.generic({
      tokenEndpoint: `${base}${path}`,
      clientId: CLIENT_ID,
      clientSecret: SENT.clientSecret,
      redirectUri: "https://app.example/cb",
      dialect: { clientAuth },
    }),
    { retries: 0, timeoutMs: 5_000 },
  )
  return c
}

const outcomeOf = async (p: Promise<unknown>) => {
  try {
    return { ok: true as const, value: await p }
  } catch (e) {
    return { ok: false as const, value: e }
  }
}

const FLOWS = {
  "client credentials": (c: OAuthClient) => c.clientCredentials(),
  refresh: (c: OAuthClient) => c.refresh(SENT.refreshToken),
  "code exchange": (c: OAuthClient) => c.exchangeCode(SENT.code),
} as const

describe("redaction gaps (issue 12)", { timeout: 60_000 }, () => {
  it("keeps the client's secrets out of errors whatever spelling the server echoes them in", async () => {
    const leaks: Array<string> = []
    let failures = 0
    for (const shape of Object.keys(ECHOES)) {
      for (const kind of ECHO_SPELLINGS) {
        for (const auth of ["client_secret_basic", "client_secret_post"] as const) {
          for (const [flow, run] of Object.entries(FLOWS)) {
            const outcome = await outcomeOf(
              run(clientAt(`/echo/${encodeURIComponent(shape)}/${encodeURIComponent(kind)}`, auth)),
            )
            if (!outcome.ok) failures++
            leaks.push(...leaksOf(`${shape} / ${kind} / ${auth} / ${flow}`, outcome.value, SENT, CLIENT_ID))
          }
        }
      }
    }
    expect(failures).toBe(Object.keys(ECHOES).length * ECHO_SPELLINGS.length * 2 * 3)
    expect(leaks).toEqual([])
  })

  it("keeps issued tokens out of errors whatever their length, shape or position in the answer", async () => {
    const leaks: Array<string> = []
    const tags: Array<string> = []
    for (const [name, { tokens }] of Object.entries(ISSUED_IN)) {
      for (const [flow, run] of Object.entries(FLOWS)) {
        const outcome = await outcomeOf(
          run(clientAt(`/issued/${encodeURIComponent(name)}`, "client_secret_basic")),
        )
        tags.push(`${name}: ${outcome.ok ? "TokenSet" : (outcome.value as { _tag: string })._tag}`)
        leaks.push(...leaksOf(`${name} / ${flow}`, outcome.value, tokens))
      }
    }
    // Every answer is refused (none holds a usable access_token), so each error was scanned.
    expect(tags.filter((t) => !/: (InvalidResponse|OAuthServerError)$/.test(t))).toEqual([])
    expect(leaks).toEqual([])
  })
})
