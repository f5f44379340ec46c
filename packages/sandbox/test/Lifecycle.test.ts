import { request, Agent } from "node:http"
import { connect } from "node:net"
import { describe, expect, it } from "vitest"
import { DEFAULT_CLIENTS, startSandbox, type SandboxClient } from "../src/index.js"
import { fuseToken, hopperTokens } from "./helpers.js"

describe("sandbox lifecycle", () => {
  it("listens on 127.0.0.1 and a free port by default and names every endpoint", async () => {
    const sb = await startSandbox()
    try {
      expect(sb.url).toBe(`http://127.0.0.1:${sb.port}`)
      expect(sb.port).toBeGreaterThan(0)
      expect(sb.cryptohopper).toEqual({
        authorizationEndpoint: `${sb.url}/cryptohopper/oauth2/authorize`,
        tokenEndpoint: `${sb.url}/cryptohopper/oauth2/token`,
        revocationEndpoint: `${sb.url}/cryptohopper/oauth2/revoke`,
        apiBase: `${sb.url}/cryptohopper/v1`,
      })
      expect(sb.cryptofuse).toEqual({
        baseUrl: `${sb.url}/cryptofuse`,
        tokenEndpoint: `${sb.url}/cryptofuse/o/token/`,
        revocationEndpoint: `${sb.url}/cryptofuse/o/revoke_token/`,
        introspectionEndpoint: `${sb.url}/cryptofuse/o/introspect/`,
      })
      expect(sb.consent).toBe("page")
    } finally {
      await sb.stop()
    }
  })

  it("starts with the default clients", async () => {
    const sb = await startSandbox()
    try {
      expect(sb.clients.map((c) => [c.provider, c.clientId])).toEqual([
        ["cryptohopper", "hopper-app"],
        ["cryptofuse", "fuse-client"],
      ])
      expect(DEFAULT_CLIENTS[1]!.clientSecret).toBe("fuse-secret-with/special+chars")
      expect(DEFAULT_CLIENTS[0]!.redirectUris).toEqual([
        "http://127.0.0.1/callback",
        "http://localhost:3000/auth/cryptohopper/callback",
      ])
    } finally {
      await sb.stop()
    }
  })

  it("uses only the given clients when clients are passed", async () => {
    const clients: SandboxClient[] = [
      {
        provider: "cryptofuse",
        clientId: "mine",
        clientSecret: "s3cret",
        redirectUris: [],
        scopes: ["read"],
      },
    ]
    const sb = await startSandbox({ clients })
    try {
      expect(sb.clients.map((c) => c.clientId)).toEqual(["mine"])
      await expect(fuseToken(sb)).rejects.toThrow(/invalid_client/)
    } finally {
      await sb.stop()
    }
  })

  it("keeps two sandboxes in one process independent", async () => {
    const a = await startSandbox({ consent: "approve" })
    const b = await startSandbox({ consent: "approve" })
    try {
      const token = (await hopperTokens(a)).access_token
      expect(
        (await fetch(`${a.cryptohopper.apiBase}/hopper`, { headers: { "access-token": token } })).status,
      ).toBe(200)
      expect(
        (await fetch(`${b.cryptohopper.apiBase}/hopper`, { headers: { "access-token": token } })).status,
      ).toBe(401)
      a.faults.next("cryptofuse.token", { kind: "status", status: 500 })
      await fuseToken(b)
      expect(a.faults.pending()).toBe(1)
      expect(b.stats.tokenRequests("cryptofuse")).toBe(1)
      expect(a.stats.tokenRequests("cryptofuse")).toBe(0)
      a.addClient({
        provider: "cryptofuse",
        clientId: "only-in-a",
        clientSecret: "x",
        redirectUris: [],
        scopes: ["read"],
      })
      expect(b.clients.some((c) => c.clientId === "only-in-a")).toBe(false)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it("closes idle keep-alive connections on stop()", async () => {
    const sb = await startSandbox()
    const agent = new Agent({ keepAlive: true })
    try {
      const closed = await new Promise<Promise<void>>((resolve, reject) => {
        const req = request(`${sb.url}/`, { agent }, (res) => {
          res.resume()
          res.on("end", () => resolve(new Promise<void>((done) => req.socket!.once("close", () => done()))))
        })
        req.on("error", reject)
        req.end()
      })
      await sb.stop()
      await closed
    } finally {
      agent.destroy()
    }
  })

  it("closes connections with a request still waiting on a delay fault", async () => {
    const sb = await startSandbox()
    sb.faults.next("cryptofuse.api", { kind: "delay", ms: 60_000 })
    const pending = fetch(`${sb.cryptofuse.baseUrl}/rates/`).then(
      () => "answered",
      () => "failed",
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    await sb.stop()
    expect(await pending).toBe("failed")
  })

  it("can be stopped twice and refuses connections afterwards", async () => {
    const sb = await startSandbox()
    await sb.stop()
    await sb.stop()
    await expect(fetch(`${sb.url}/`)).rejects.toThrow()
  })

  it("rejects when the port is taken", async () => {
    const sb = await startSandbox()
    try {
      await expect(startSandbox({ port: sb.port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await sb.stop()
    }
  })

  it("refuses nonsensical options with a TypeError", async () => {
    await expect(startSandbox({ port: -1 })).rejects.toThrow(TypeError)
    await expect(startSandbox({ port: 70000 })).rejects.toThrow(TypeError)
    await expect(startSandbox({ consent: "maybe" as never })).rejects.toThrow(TypeError)
    await expect(startSandbox({ codeTtlSeconds: Number.NaN })).rejects.toThrow(TypeError)
    await expect(startSandbox({ accessTokenTtlSeconds: { cryptofuse: -5 } })).rejects.toThrow(TypeError)
    await expect(startSandbox({ callbackMessageParam: "msg" as never })).rejects.toThrow(TypeError)
    await expect(
      startSandbox({
        clients: [
          { provider: "github" as never, clientId: "x", clientSecret: "y", redirectUris: [], scopes: [] },
        ],
      }),
    ).rejects.toThrow(TypeError)
  })

  it("refuses duplicate client ids and updates to unknown clients", async () => {
    const sb = await startSandbox()
    try {
      expect(() => sb.addClient({ ...DEFAULT_CLIENTS[0]! })).toThrow(TypeError)
      expect(() => sb.updateClient("nobody", { scopes: [] })).toThrow(TypeError)
      expect(() => sb.setConsent("later" as never)).toThrow(TypeError)
    } finally {
      await sb.stop()
    }
  })

  it("does not let callers mutate registered clients behind its back", async () => {
    const sb = await startSandbox()
    try {
      const uris = ["http://127.0.0.1/a"]
      sb.addClient({
        provider: "cryptohopper",
        clientId: "frozen",
        clientSecret: "x",
        redirectUris: uris,
        scopes: ["read"],
      })
      uris.push("https://evil.example/")
      expect(sb.clients.find((c) => c.clientId === "frozen")!.redirectUris).toEqual(["http://127.0.0.1/a"])
    } finally {
      await sb.stop()
    }
  })

  it("serves an index page listing the endpoints and client ids without secrets", async () => {
    const sb = await startSandbox()
    try {
      const res = await fetch(`${sb.url}/`)
      const html = await res.text()
      expect(res.status).toBe(200)
      expect(html).toContain("/cryptohopper/oauth2/authorize")
      expect(html).toContain("/cryptofuse/o/token/")
      expect(html).toContain("hopper-app")
      expect(html).not.toContain("hopper-secret")
      expect(html).not.toContain("fuse-secret")
    } finally {
      await sb.stop()
    }
  })

  it("answers an unknown path with 404", async () => {
    const sb = await startSandbox()
    try {
      expect((await fetch(`${sb.url}/nowhere`)).status).toBe(404)
      expect((await fetch(`${sb.url}/cryptohopper/oauth2/nothing`)).status).toBe(404)
    } finally {
      await sb.stop()
    }
  })

  it("binds to the host it is given", async () => {
    const sb = await startSandbox({ host: "localhost" })
    try {
      expect(sb.url).toBe(`http://localhost:${sb.port}`)
      const alive = await new Promise<boolean>((resolve) => {
        const socket = connect(sb.port, "localhost", () => {
          socket.destroy()
          resolve(true)
        })
        socket.on("error", () => resolve(false))
      })
      expect(alive).toBe(true)
    } finally {
      await sb.stop()
    }
  })
})
