// Issue 12, hole 7: @node-oauth/oauth2-server 5.3 (like authlib 1.2 and glewlwyd 2.7) reads
// Basic credentials without URL-decoding them, so a secret with reserved characters only works
// with `basicAuthEncoding: "raw"`. Tested against that real server, run locally.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import OAuth2Server, { Request, Response } from "@node-oauth/oauth2-server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Providers } from "../src/index.js"
import { clientPool } from "./helpers/tokenLifecycle.js"
import { rejectionOf } from "./helpers/sandbox.js"

const CLIENT = { id: "raw-client", secret: "a+b/c=d:e%f" }

let server: Server
let tokenEndpoint: string
const pool = clientPool()

beforeAll(async () => {
  const oauth = new OAuth2Server({
    model: {
      getClient: async (id: string, secret: string | null) =>
        id === CLIENT.id && secret === CLIENT.secret ? { id, grants: ["client_credentials"] } : null,
      getUserFromClient: async () => ({ id: "service" }),
      saveToken: async (token, client, user) => ({ ...token, client, user }),
      getAccessToken: async () => null,
    } as OAuth2Server.ClientCredentialsModel,
  })
  server = createServer((req, res) => {
    let raw = ""
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")))
    req.on("end", () => {
      const request = new Request({
        headers: req.headers as Record<string, string>,
        method: req.method ?? "POST",
        query: {},
        body: Object.fromEntries(new URLSearchParams(raw)),
      })
      const response = new Response()
      const send = () => {
        res.writeHead(response.status ?? 500, response.headers as Record<string, string>)
        res.end(JSON.stringify(response.body ?? {}))
      }
      oauth.token(request, response).then(send, send)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  tokenEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
})
afterAll(async () => {
  await pool.disposeAll()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const clientWith = (basicAuthEncoding?: "form-urlencoded" | "raw", clientId = CLIENT.id) => {
  const c = pool.make(
    Providers.generic({
      tokenEndpoint,
      clientId,
      clientSecret: CLIENT.secret,
      dialect: basicAuthEncoding === undefined ? {} : { basicAuthEncoding },
    }),
    { retries: 0 },
  )
  return c
}

describe("basicAuthEncoding against @node-oauth/oauth2-server 5.3", () => {
  it("is refused as invalid_client by default, since the server does not decode form-urlencoded credentials", async () => {
    expect(await rejectionOf(clientWith().clientCredentials())).toMatchObject({
      _tag: "OAuthServerError",
      error: "invalid_client",
      status: 401,
    })
  })

  it('gets a token with basicAuthEncoding "raw"', async () => {
    const tokens = await clientWith("raw").clientCredentials()
    expect(tokens.tokenType).toBe("Bearer")
    expect(tokens.expiresAt).toBeInstanceOf(Date)
  })

  it('refuses a client id with ":" under "raw" with ConfigError, as Basic cannot carry it', async () => {
    expect(await rejectionOf(clientWith("raw", "a:b").clientCredentials())).toMatchObject({
      _tag: "ConfigError",
    })
  })
})
