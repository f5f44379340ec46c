import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { HOPPER, hopperTokens } from "./helpers.js"

interface ApiError {
  status: number
  code: number
  error: number
  message: string
}

describe("Cryptohopper API", () => {
  let sb: Sandbox
  let full: string
  const get = (path: string, headers: Record<string, string>) =>
    fetch(`${sb.cryptohopper.apiBase}${path}`, { headers })
  const tokenWith = async (scope: string) => (await hopperTokens(sb, { scope })).access_token

  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
    full = await tokenWith("read,notifications,manage,trade,user")
  })
  afterAll(() => sb.stop())

  describe("authentication", () => {
    it("accepts the token in the access-token header", async () => {
      const res = await get("/user/get", { "access-token": full })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { data: { user: { username: string } } }
      expect(body.data.user.username).toBe("sandbox-user")
    })

    it("answers Authorization: Bearer alone with 405 Missing Authentication Token, as its API gateway does", async () => {
      const res = await get("/user/get", { authorization: `Bearer ${full}` })
      expect(res.status).toBe(405)
      expect(await res.json()).toEqual({ message: "Missing Authentication Token" })
    })

    it("answers a request without a token with 401 in Cryptohopper's error shape", async () => {
      const res = await get("/user/get", {})
      expect(res.status).toBe(401)
      const body = (await res.json()) as ApiError
      expect(body).toMatchObject({ status: 401, error: 1 })
      expect(typeof body.code).toBe("number")
      expect(body.message).toContain("access-token")
    })

    it("answers an unknown token with 401", async () => {
      const res = await get("/user/get", { "access-token": "f".repeat(40) })
      expect(res.status).toBe(401)
      expect(((await res.json()) as ApiError).error).toBe(1)
    })

    it("answers a refresh token used as an access token with 401", async () => {
      const tokens = await hopperTokens(sb)
      expect((await get("/hopper", { "access-token": tokens.refresh_token })).status).toBe(401)
    })

    it("answers an expired token with 401 after expireAccessTokens(), and accepts tokens issued afterwards", async () => {
      const other = await startSandbox({ consent: "approve" })
      try {
        const before = (await hopperTokens(other)).access_token
        other.expireAccessTokens()
        const res = await fetch(`${other.cryptohopper.apiBase}/hopper`, {
          headers: { "access-token": before },
        })
        expect(res.status).toBe(401)
        expect(((await res.json()) as ApiError).message).toContain("expired")
        const after = (await hopperTokens(other)).access_token
        expect(
          (await fetch(`${other.cryptohopper.apiBase}/hopper`, { headers: { "access-token": after } }))
            .status,
        ).toBe(200)
      } finally {
        await other.stop()
      }
    })

    it("accepts an x-api-app-key that names the token's client", async () => {
      expect((await get("/hopper", { "access-token": full, "x-api-app-key": HOPPER.clientId })).status).toBe(
        200,
      )
    })

    it("refuses an x-api-app-key of another app", async () => {
      const res = await get("/hopper", { "access-token": full, "x-api-app-key": "other-app" })
      expect(res.status).toBe(401)
      expect(((await res.json()) as ApiError).error).toBe(1)
    })
  })

  describe("endpoints and scopes", () => {
    it("serves GET /v1/user/get with the user scope alone", async () => {
      expect((await get("/user/get", { "access-token": await tokenWith("user") })).status).toBe(200)
    })

    it("refuses GET /v1/user/get without user or read scope with 403", async () => {
      const res = await get("/user/get", { "access-token": await tokenWith("trade") })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ status: 403, error: 1 })
    })

    it("lists hoppers under data with the read scope", async () => {
      const res = await get("/hopper", { "access-token": await tokenWith("read") })
      const body = (await res.json()) as { data: Array<{ id: string }> }
      expect(res.status).toBe(200)
      expect(body.data.map((h) => h.id)).toEqual(["1001", "1002"])
    })

    it("refuses the hopper list without the read scope", async () => {
      expect((await get("/hopper", { "access-token": await tokenWith("notifications") })).status).toBe(403)
    })

    it("serves the ticker to any valid token", async () => {
      const res = await get("/exchange/ticker?exchange=binance&pair=BTC/USDT", {
        "access-token": await tokenWith("notifications"),
      })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { data: { last: number; pair: string } }).data).toMatchObject({
        pair: "BTC/USDT",
        last: 64000.5,
      })
    })

    it("reports an unknown pair as an error inside a 200, as Cryptohopper sometimes does", async () => {
      const res = await get("/exchange/ticker?exchange=binance&pair=DOGE/XYZ", { "access-token": full })
      expect(res.status).toBe(200)
      const body = (await res.json()) as ApiError
      expect(body.error).toBe(1)
      expect(body).not.toHaveProperty("data")
    })

    it("places an order with the trade scope and echoes it", async () => {
      const res = await fetch(`${sb.cryptohopper.apiBase}/hopper/1001/order`, {
        method: "POST",
        headers: { "access-token": await tokenWith("trade"), "content-type": "application/json" },
        body: JSON.stringify({ order_type: "buy", coin: "BTC", amount: "0.01" }),
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { data: Record<string, string> }
      expect(body.data).toMatchObject({
        order_type: "buy",
        coin: "BTC",
        amount: "0.01",
        hopper_id: "1001",
        status: "pending",
      })
      expect(body.data.order_id).toMatch(/^[0-9a-f]{16}$/)
    })

    it("refuses an order without the trade scope", async () => {
      const res = await fetch(`${sb.cryptohopper.apiBase}/hopper/1001/order`, {
        method: "POST",
        headers: { "access-token": await tokenWith("read,manage"), "content-type": "application/json" },
        body: "{}",
      })
      expect(res.status).toBe(403)
    })

    it("answers an order with malformed JSON with 400", async () => {
      const res = await fetch(`${sb.cryptohopper.apiBase}/hopper/1001/order`, {
        method: "POST",
        headers: { "access-token": full, "content-type": "application/json" },
        body: "{not json",
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as ApiError).error).toBe(1)
    })

    it("answers an order for an unknown hopper with 404", async () => {
      const res = await fetch(`${sb.cryptohopper.apiBase}/hopper/9999/order`, {
        method: "POST",
        headers: { "access-token": full, "content-type": "application/json" },
        body: "{}",
      })
      expect(res.status).toBe(404)
    })

    it("answers an unmapped path or method with the gateway's 403 Missing Authentication Token", async () => {
      for (const res of [
        await get("/no/such/thing", { "access-token": full }),
        await fetch(`${sb.cryptohopper.apiBase}/user/get`, {
          method: "DELETE",
          headers: { "access-token": full },
        }),
      ]) {
        expect(res.status).toBe(403)
        expect(await res.json()).toEqual({ message: "Missing Authentication Token" })
      }
    })
  })
})
