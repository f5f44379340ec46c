// A body labelled compressed that does not decompress is the server's malformed answer
// (InvalidResponse), not a network failure; found by the token-answer property. Every transport,
// against a real local server.
import { gzipSync } from "node:zlib"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HttpTransport } from "../src/index.js"
import { KyTransport } from "../src/ky.js"
import { squashExit } from "../src/internal/runPromise.js"
import { type AnswerServer, startAnswerServer } from "./helpers/answerServer.js"

let server: AnswerServer
beforeAll(async () => {
  server = await startAnswerServer()
})
afterAll(() => server.stop())

const TRANSPORTS: ReadonlyArray<readonly [string, () => HttpTransport["Service"]]> = [
  ["undici", () => HttpTransport.undici({ retries: 0 })],
  ["fetch", () => HttpTransport.fetch({ retries: 0 })],
  ["ky", () => KyTransport.make({ retries: 0 })],
]

const send = (transport: HttpTransport["Service"], url: string) =>
  Effect.runPromiseExit(
    transport.request({ method: "POST", url, body: "grant_type=client_credentials" }),
  ).then(squashExit)

describe.each(TRANSPORTS)("the %s transport", (_name, make) => {
  it.each(["gzip", "br", "deflate"])(
    "turns a body declared %s that is not compressed into InvalidResponse",
    async (encoding) => {
      const url = server.serve({
        status: 200,
        headers: { "content-type": "application/json", "content-encoding": encoding },
        body: '{"access_token":"not-compressed-1"}',
      })
      await expect(send(make(), url)).rejects.toMatchObject({ _tag: "InvalidResponse", status: 200 })
    },
  )

  it("still reads a body that really is gzip-compressed", async () => {
    const url = server.serve({
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync('{"access_token":"compressed-1"}'),
    })
    expect((await send(make(), url)).body).toBe('{"access_token":"compressed-1"}')
  })
})
