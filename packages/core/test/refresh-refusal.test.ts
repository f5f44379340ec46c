// Issue 12, hole 5: a session whose refresh token the server refused ends (LoginRequired, session
// deleted, no further token request) instead of spending the dead token on every call; a refresh
// that failed for any other reason keeps the session. A real local server gives each answer.
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  MemoryTokenStore,
  Providers,
  type TokenSet,
} from "../src/index.js"
import { type AnswerServer, type ScriptedAnswer, startAnswerServer } from "./helpers/answerServer.js"
import { rejectionOf } from "./helpers/sandbox.js"
import { clientPool, stored } from "./helpers/tokenLifecycle.js"

let server: AnswerServer
const pool = clientPool()
beforeAll(async () => {
  server = await startAnswerServer()
})
afterEach(async () => {
  await pool.disposeAll()
  server.reset()
})
afterAll(() => server.stop())

const expired: TokenSet = {
  accessToken: Redacted.make("old-access"),
  tokenType: "Bearer",
  expiresAt: new Date(Date.now() - 60_000),
  refreshToken: Redacted.make("dead-refresh-1"),
  scopes: ["read"],
  raw: {},
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScriptedAnswer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
})
const text = (status: number, body: string, type = "text/plain"): ScriptedAnswer => ({
  status,
  headers: body === "" ? {} : { "content-type": type },
  body,
})

/** A client whose session "s" holds an expired token set, with a token endpoint that answers `answer`. */
const sessionAgainst = async (answer: ScriptedAnswer, clientAuth: "client_secret_basic" | "none") => {
  const tokenEndpoint = server.serve(answer)
  const tokenStore = MemoryTokenStore.make()
  const provider = Providers.generic({
    authorizationEndpoint: `${server.url}/authorize`,
    tokenEndpoint,
    redirectUri: "https://app.example/cb",
    clientId: "app",
    ...(clientAuth === "none" ? {} : { clientSecret: "app-secret" }),
    dialect: { clientAuth },
  })
  const c = pool.make(provider, { retries: 0, tokenStore })
  await c.setSession("s", expired)
  const storedSession = () => stored(tokenStore, provider, { session: "s" })
  return { c, tokenEndpoint, storedSession }
}

const ENDS: ReadonlyArray<readonly [string, ScriptedAnswer, "client_secret_basic" | "none"]> = [
  ["an empty-body 400 (glewlwyd's answer to a revoked refresh token)", text(400, ""), "client_secret_basic"],
  ["invalid_grant", json(400, { error: "invalid_grant" }), "client_secret_basic"],
  ["invalid_grant inside a 200", json(200, { error: "invalid_grant" }), "client_secret_basic"],
  ["a plain-text 400", text(400, "refresh token revoked"), "client_secret_basic"],
  ["a 400 with JSON but no OAuth error", json(400, { message: "Token expired" }), "client_secret_basic"],
  ["an empty 401 to a public client", text(401, ""), "none"],
]

const KEEPS: ReadonlyArray<readonly [string, ScriptedAnswer, "client_secret_basic" | "none", string]> = [
  ["invalid_client", json(401, { error: "invalid_client" }), "client_secret_basic", "OAuthServerError"],
  [
    "unauthorized_client",
    json(400, { error: "unauthorized_client" }),
    "client_secret_basic",
    "OAuthServerError",
  ],
  ["invalid_request", json(400, { error: "invalid_request" }), "client_secret_basic", "OAuthServerError"],
  ["an empty 401 to a confidential client", text(401, ""), "client_secret_basic", "InvalidResponse"],
  ["a 500", text(500, ""), "client_secret_basic", "InvalidResponse"],
  ["a 503 server_error", json(503, { error: "server_error" }), "client_secret_basic", "OAuthServerError"],
  ["a 429 without JSON", text(429, "Too Many Requests"), "client_secret_basic", "OAuthServerError"],
  [
    "an HTML 400 bot page",
    text(400, "<html><body>Blocked</body></html>", "text/html"),
    "client_secret_basic",
    "InvalidResponse",
  ],
  [
    "an HTML 403 bot page",
    text(403, "<html><body>Blocked</body></html>", "text/html"),
    "client_secret_basic",
    "InvalidResponse",
  ],
  ["a 404", text(404, "Not Found"), "client_secret_basic", "InvalidResponse"],
]

describe("a refresh the token endpoint refused", { timeout: 20_000 }, () => {
  it.each(ENDS)(
    "ends the session on %s, and asks for a login without another token request",
    async (_n, answer, auth) => {
      const { c, tokenEndpoint, storedSession } = await sessionAgainst(answer, auth)
      expect(await rejectionOf(c.getAccessToken({ session: "s" }))).toMatchObject({
        _tag: "LoginRequired",
        reason: "refresh-token-rejected",
      })
      expect(server.requestsTo(tokenEndpoint)).toHaveLength(1)
      expect(await rejectionOf(c.getAccessToken({ session: "s" }))).toMatchObject({
        _tag: "LoginRequired",
        reason: "no-session",
      })
      expect(server.requestsTo(tokenEndpoint)).toHaveLength(1)
      expect(await storedSession()).toBeUndefined()
    },
  )

  it.each(KEEPS)(
    "keeps the session on %s and tries again on the next call",
    async (_n, answer, auth, tag) => {
      const { c, tokenEndpoint, storedSession } = await sessionAgainst(answer, auth)
      expect(await rejectionOf(c.getAccessToken({ session: "s" }))).toMatchObject({ _tag: tag })
      expect(await rejectionOf(c.getAccessToken({ session: "s" }))).toMatchObject({ _tag: tag })
      expect(server.requestsTo(tokenEndpoint)).toHaveLength(2)
      expect(Redacted.value((await storedSession())!.refreshToken!)).toBe("dead-refresh-1")
    },
  )
})
