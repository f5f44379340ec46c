import { randomUUID } from "node:crypto"

/** A payment as the sandbox's Cryptofuse API returns it. */
export interface Payment {
  readonly id: string
  readonly amount: string
  readonly currency: string
  readonly status: "pending" | "completed" | "expired"
  readonly description: string
  readonly created_at: string
}

/** A withdrawal as the sandbox's Cryptofuse API returns it. */
export interface Withdrawal {
  readonly id: string
  readonly amount: string
  readonly currency: string
  readonly address: string
  readonly status: "pending" | "completed"
  readonly created_at: string
}

/** The currencies the sandbox knows. */
export const CURRENCIES = Object.freeze([
  Object.freeze({ code: "BTC", name: "Bitcoin", network: "bitcoin", decimals: 8 }),
  Object.freeze({ code: "ETH", name: "Ether", network: "ethereum", decimals: 18 }),
  Object.freeze({ code: "USDT", name: "Tether USD", network: "tron", decimals: 6 }),
  Object.freeze({ code: "USDC", name: "USD Coin", network: "ethereum", decimals: 6 }),
])

/** Fixed USD rates, so tests can assert on them. */
export const RATES = Object.freeze({
  base: "USD",
  rates: Object.freeze({ BTC: "64000.50", ETH: "3100.25", USDT: "1.00", USDC: "1.00" }),
})

const SEEDED_PAYMENTS = 12

const isoAt = (index: number): string => new Date(Date.UTC(2024, 0, 1, 12, index)).toISOString()

/** The mutable records of one sandbox's Cryptofuse API (payments created by tests live here). */
export class CryptofuseData {
  readonly payments: Array<Payment> = []
  readonly withdrawals: ReadonlyArray<Withdrawal>
  readonly webhooks = Object.freeze([
    Object.freeze({
      id: 1,
      url: "https://example.invalid/webhooks/cryptofuse",
      events: Object.freeze(["payment.completed", "payment.expired"]),
      active: true,
    }),
  ])

  constructor() {
    const statuses = ["completed", "pending", "expired"] as const
    for (let i = 0; i < SEEDED_PAYMENTS; i++) {
      this.payments.push({
        id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
        amount: `${10 * (i + 1)}.00`,
        currency: CURRENCIES[i % CURRENCIES.length]!.code,
        status: statuses[i % statuses.length]!,
        description: `Seeded payment ${i + 1}`,
        created_at: isoAt(i),
      })
    }
    this.withdrawals = Object.freeze(
      [1, 2, 3].map((n) =>
        Object.freeze({
          id: `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
          amount: `${n * 0.01}`,
          currency: "BTC",
          address: `bc1qsandbox${n}xxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
          status: n === 3 ? ("pending" as const) : ("completed" as const),
          created_at: isoAt(100 + n),
        }),
      ),
    )
  }

  addPayment(input: { amount: string; currency: string; description: string }): Payment {
    const payment: Payment = {
      id: randomUUID(),
      status: "pending",
      created_at: new Date().toISOString(),
      ...input,
    }
    this.payments.push(payment)
    return payment
  }
}
