import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { fuseToken, hopperTokens } from "./helpers.js"

interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

describe("Cryptofuse API", () => {
  let sb: Sandbox
  let readWrite: string
  let readOnly: string
  const get = (path: string, token?: string) =>
    fetch(`${sb.cryptofuse.baseUrl}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      redirect: "manual",
    })
  const postPayment = (token: string, body: unknown, contentType = "application/json") =>
    fetch(`${sb.cryptofuse.baseUrl}/payments/`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    })

  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
    readWrite = await fuseToken(sb, "read write")
    readOnly = await fuseToken(sb, "read")
  })
  afterAll(() => sb.stop())

  describe("authentication", () => {
    it("answers a request without a token with 401 and a bare Bearer challenge", async () => {
      const res = await get("/payments/")
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"')
      expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." })
    })

    it("answers an unknown token with 401 invalid_token", async () => {
      const res = await get("/payments/", "not-a-token")
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"')
      expect((await res.json()) as object).toHaveProperty("detail")
    })

    it("answers an expired token with 401 invalid_token that says so", async () => {
      let clock = 1_000_000
      const other = await startSandbox({ now: () => clock, accessTokenTtlSeconds: { cryptofuse: 10 } })
      try {
        const token = await fuseToken(other)
        expect(
          (
            await fetch(`${other.cryptofuse.baseUrl}/rates/`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).status,
        ).toBe(200)
        clock += 10_000
        const res = await fetch(`${other.cryptofuse.baseUrl}/rates/`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(res.status).toBe(401)
        expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"')
        expect(res.headers.get("www-authenticate")).toContain("expired")
      } finally {
        await other.stop()
      }
    })

    it("answers tokens expired with expireAccessTokens() with 401 invalid_token", async () => {
      const other = await startSandbox()
      try {
        const token = await fuseToken(other)
        other.expireAccessTokens()
        const res = await fetch(`${other.cryptofuse.baseUrl}/payments/`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(res.status).toBe(401)
        expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"')
      } finally {
        await other.stop()
      }
    })

    it("refuses a Cryptohopper token", async () => {
      const tokens = await hopperTokens(sb)
      expect((await get("/rates/", tokens.access_token)).status).toBe(401)
    })

    it("refuses the token in Cryptohopper's access-token header", async () => {
      const res = await fetch(`${sb.cryptofuse.baseUrl}/rates/`, { headers: { "access-token": readWrite } })
      expect(res.status).toBe(401)
    })

    it("accepts the bearer scheme in any case", async () => {
      const res = await fetch(`${sb.cryptofuse.baseUrl}/rates/`, {
        headers: { authorization: `bearer ${readOnly}` },
      })
      expect(res.status).toBe(200)
    })
  })

  describe("payments", () => {
    it("lists payments as a paginated DRF page", async () => {
      const res = await get("/payments/", readOnly)
      expect(res.status).toBe(200)
      const page = (await res.json()) as Page<{ id: string }>
      expect(page.count).toBeGreaterThanOrEqual(12)
      expect(page.results).toHaveLength(10)
      expect(page.previous).toBeNull()
      expect(page.next).toBe(`${sb.cryptofuse.baseUrl}/payments/?page=2`)
    })

    it("follows next and previous links", async () => {
      const first = (await (await get("/payments/", readOnly)).json()) as Page<{ id: string }>
      const second = (await (
        await fetch(first.next!, { headers: { authorization: `Bearer ${readOnly}` } })
      ).json()) as Page<{ id: string }>
      expect(second.results.length).toBe(first.count - 10)
      expect(second.previous).toBe(`${sb.cryptofuse.baseUrl}/payments/`)
      expect(second.results.map((p) => p.id)).not.toContain(first.results[0]!.id)
    })

    it("answers a page past the end with 404 Invalid page.", async () => {
      const res = await get("/payments/?page=99", readOnly)
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: "Invalid page." })
    })

    it("creates a payment with the write scope", async () => {
      const before = ((await (await get("/payments/", readOnly)).json()) as Page<unknown>).count
      const res = await postPayment(readWrite, {
        amount: "25.50",
        currency: "USDT",
        description: "test order",
      })
      expect(res.status).toBe(201)
      const payment = (await res.json()) as Record<string, string>
      expect(payment).toMatchObject({
        amount: "25.50",
        currency: "USDT",
        status: "pending",
        description: "test order",
      })
      expect(((await (await get("/payments/", readOnly)).json()) as Page<unknown>).count).toBe(before + 1)
    })

    it("creates a payment from a form body too", async () => {
      const res = await postPayment(readWrite, "amount=1&currency=BTC", "application/x-www-form-urlencoded")
      expect(res.status).toBe(201)
    })

    it("refuses to create a payment with the read scope alone", async () => {
      const res = await postPayment(readOnly, { amount: "1", currency: "BTC" })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: "You do not have permission to perform this action." })
    })

    it("answers an invalid payment with DRF's field errors", async () => {
      const res = await postPayment(readWrite, { amount: "-3", currency: "XYZ" })
      expect(res.status).toBe(400)
      const errors = (await res.json()) as Record<string, string[]>
      expect(Object.keys(errors).sort()).toEqual(["amount", "currency"])
    })

    it("answers a missing field with This field is required.", async () => {
      const res = await postPayment(readWrite, { currency: "BTC" })
      expect(await res.json()).toEqual({ amount: ["This field is required."] })
    })

    it("answers malformed JSON with 400", async () => {
      const res = await postPayment(readWrite, "{oops")
      expect(res.status).toBe(400)
      expect((await res.json()) as object).toHaveProperty("detail")
    })

    it("answers a method the resource lacks with 405", async () => {
      const res = await fetch(`${sb.cryptofuse.baseUrl}/payments/`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${readWrite}` },
      })
      expect(res.status).toBe(405)
    })

    it("checks the write scope before the method, as DRF does", async () => {
      const res = await fetch(`${sb.cryptofuse.baseUrl}/payments/`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${readOnly}` },
      })
      expect(res.status).toBe(403)
    })
  })

  describe("other resources", () => {
    it("serves rates, currencies and withdrawals with the read scope", async () => {
      const rates = (await (await get("/rates/", readOnly)).json()) as { rates: Record<string, string> }
      expect(rates.rates.BTC).toBe("64000.50")
      const currencies = (await (await get("/currencies/", readOnly)).json()) as Array<{ code: string }>
      expect(currencies.map((c) => c.code)).toContain("BTC")
      const withdrawals = (await (await get("/withdrawals/", readOnly)).json()) as Page<unknown>
      expect(withdrawals.count).toBe(3)
    })

    it("refuses read endpoints to a token without the read scope", async () => {
      const adminOnly = await fuseToken(sb, "admin")
      expect((await get("/rates/", adminOnly)).status).toBe(403)
    })

    it("serves webhooks only with the write scope", async () => {
      expect((await get("/webhooks", readOnly)).status).toBe(403)
      const res = await get("/webhooks", readWrite)
      expect(res.status).toBe(200)
      expect(((await res.json()) as unknown[]).length).toBe(1)
    })

    it("redirects a collection path without its trailing slash", async () => {
      const res = await get("/payments?page=2", readOnly)
      expect(res.status).toBe(301)
      expect(res.headers.get("location")).toBe("/cryptofuse/payments/?page=2")
    })

    it("answers an unknown path with Django's HTML 404", async () => {
      const res = await get("/nothing-here/", readOnly)
      expect(res.status).toBe(404)
      expect(res.headers.get("content-type")).toContain("text/html")
    })
  })
})
