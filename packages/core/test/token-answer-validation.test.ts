// Token answers that parse but must not become a TokenSet (issue 12, hole 3), and tokens under
// other names that a TokenSet must not print (hole 2), against a real local server.
import { inspect } from "node:util"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Providers } from "../src/index.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { type AnswerServer, startAnswerServer } from "./helpers/answerServer.js"
import { leaksOf } from "./helpers/leaks.js"
import { rejectionOf } from "./helpers/sandbox.js"

let server: AnswerServer
const pool = clientPool()
beforeAll(async () => {
  server = await startAnswerServer()
})
afterAll(async () => {
  await pool.disposeAll()
  await server.stop()
})

const clientFor = (body: unknown) => {
  const tokenEndpoint = server.serve({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  const c = pool.make(
    Providers.generic({ tokenEndpoint, clientId: "app", clientSecret: "s3cret-value" }),
    {
      retries: 0,
    },
  )
  return c
}

describe("token answers that parse but are wrong", () => {
  it.each([
    ["an empty token_type", { access_token: "AT-valid-1", token_type: "" }],
    ["a blank token_type", { access_token: "AT-valid-1", token_type: " " }],
    ["a token_type with a space in it", { access_token: "AT-valid-1", token_type: "Bearer x" }],
    ["a blank access_token", { access_token: " ", token_type: "Bearer" }],
    ["an access_token with a line break", { access_token: "AT-1\r\nX-Evil: 1", token_type: "Bearer" }],
    ["an access_token with non-ASCII characters", { access_token: "jeton-été", token_type: "Bearer" }],
  ])("refuses %s with InvalidResponse", async (_name, body) => {
    expect(await rejectionOf(clientFor(body).clientCredentials())).toMatchObject({
      _tag: "InvalidResponse",
      status: 200,
    })
  })

  it("still accepts a missing or null token_type as Bearer", async () => {
    expect((await clientFor({ access_token: "AT-valid-1" }).clientCredentials()).tokenType).toBe("Bearer")
    expect(
      (await clientFor({ access_token: "AT-valid-1", token_type: null }).clientCredentials()).tokenType,
    ).toBe("Bearer")
  })
})

describe("tokens under non-standard names in a token answer", () => {
  it("are Redacted in raw, nested ones too, and the issued tokens are scrubbed from other fields", async () => {
    const answer = {
      access_token: "AT-1",
      refreshToken: "RT-sHoRt",
      token_type: "Bearer",
      data: { session_token: "nesTedTok", user: "ada" },
      tokens: ["arrTok1"],
      note: "your token is AT-1",
    }
    const tokens = await clientFor(answer).clientCredentials()
    expect(leaksOf("token set", tokens, { a: "AT-1", b: "RT-sHoRt", c: "nesTedTok", d: "arrTok1" })).toEqual(
      [],
    )
    // Still there for whoever needs them, just not printable.
    expect(Redacted.value(tokens.raw["refreshToken"] as Redacted.Redacted<string>)).toBe("RT-sHoRt")
    expect((tokens.raw["data"] as Record<string, unknown>)["user"]).toBe("ada")
    expect(inspect(tokens.raw)).toContain("<redacted>")
  })
})
