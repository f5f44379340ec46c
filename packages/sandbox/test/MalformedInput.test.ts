import { connect } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { FUSE, basic, fuseToken, hopperTokenJson } from "./helpers.js"

/** Sends raw bytes and resolves with everything the server wrote back before closing. */
const raw = (port: number, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(bytes))
    let out = ""
    socket.setEncoding("latin1")
    socket.on("data", (chunk: string) => (out += chunk))
    socket.on("close", () => resolve(out))
    socket.on("error", reject)
    socket.setTimeout(5000, () => socket.destroy(new Error("raw request timed out")))
  })

describe("malformed input", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
  })
  afterAll(() => sb.stop())

  it("answers a body over 64 KB with 400 on both token endpoints and keeps serving", async () => {
    const huge = "x".repeat(100 * 1024)
    const hopper = await fetch(sb.cryptohopper.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: huge,
    })
    expect(hopper.status).toBe(400)
    expect(((await hopper.json()) as { error: string }).error).toBe("invalid_request")
    const fuse = await fetch(sb.cryptofuse.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=${huge}`,
    })
    expect(fuse.status).toBe(400)
    expect(await fuseToken(sb)).toMatch(/^[A-Za-z0-9]{30}$/)
  })

  it("answers bad base64 in Basic with 400 invalid_client on Cryptohopper", async () => {
    const { res, json } = await hopperTokenJson(
      sb,
      { grant_type: "refresh_token", refresh_token: "x" },
      { authorization: "Basic %%%%" },
    )
    expect(res.status).toBe(400)
    expect(json.error).toBe("invalid_client")
  })

  it("survives Basic credentials with invalid percent escapes and non-UTF-8 bytes", async () => {
    for (const decoded of ["fuse-client:%zz%", "fuse-client:%ff%fe", "\u00ff\u00fe:\u0000"]) {
      const authorization = `Basic ${Buffer.from(decoded, "latin1").toString("base64")}`
      const res = await fetch(sb.cryptofuse.tokenEndpoint, {
        method: "POST",
        headers: { authorization },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      })
      expect(res.status).toBe(401)
    }
  })

  it("survives a form with broken percent escapes", async () => {
    const res = await fetch(sb.cryptofuse.tokenEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basic(FUSE.clientId, FUSE.clientSecret),
      },
      body: "grant_type=client_credentials&scope=%E0%A4%A",
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBe("invalid_scope")
  })

  it("answers JSON with a huge nesting depth with 400", async () => {
    const res = await fetch(sb.cryptohopper.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    })
    expect(res.status).toBe(400)
  })

  it("answers an authorize request with broken percent escapes without crashing", async () => {
    const res = await fetch(`${sb.cryptohopper.authorizationEndpoint}?client_id=%E0%A4%A&redirect_uri=%zz`, {
      redirect: "manual",
    })
    expect(res.status).toBe(400)
  })

  it("answers garbage instead of HTTP with 400 and keeps serving", async () => {
    const answer = await raw(sb.port, "THIS IS NOT HTTP\r\n\r\n")
    expect(answer.startsWith("HTTP/1.1 400")).toBe(true)
    expect((await fetch(`${sb.url}/`)).status).toBe(200)
  })

  it("treats a path starting with // as a path, not as another host", async () => {
    const answer = await raw(
      sb.port,
      "GET //evil.example/cryptohopper/oauth2/authorize HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    expect(answer.startsWith("HTTP/1.1 404")).toBe(true)
  })

  it("answers a client that closes mid-body without crashing", async () => {
    await raw(
      sb.port,
      `POST /cryptohopper/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"grant_type":`,
    )
    expect((await fetch(`${sb.url}/`)).status).toBe(200)
  })

  it("drops a connection that announces an absurd body length", async () => {
    const answer = await raw(
      sb.port,
      "POST /cryptofuse/o/token/ HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\nabc",
    )
    expect(answer).toBe("")
    expect((await fetch(`${sb.url}/`)).status).toBe(200)
  })
})
