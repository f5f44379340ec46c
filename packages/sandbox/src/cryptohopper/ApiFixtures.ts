/** The one user every Cryptohopper sandbox token belongs to. */
export const SANDBOX_USER = Object.freeze({
  id: 424242,
  username: "sandbox-user",
  email: "sandbox-user@example.invalid",
  name: "Sandbox User",
  subscription: "explorer",
  country: "NL",
  created: "2021-01-01 00:00:00",
})

/** The hoppers `GET /v1/hopper` lists. */
export const HOPPERS = Object.freeze([
  Object.freeze({
    id: "1001",
    name: "Sandbox BTC hopper",
    exchange: "binance",
    base_currency: "USDT",
    enabled: 1,
    paper_trading: 1,
  }),
  Object.freeze({
    id: "1002",
    name: "Sandbox ETH hopper",
    exchange: "kraken",
    base_currency: "EUR",
    enabled: 0,
    paper_trading: 1,
  }),
])

/** Fixed ticker prices per exchange and pair, so tests can assert on them. */
export const TICKERS: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.freeze({
  binance: Object.freeze({ "BTC/USDT": 64000.5, "ETH/USDT": 3100.25, "ETH/BTC": 0.0484 }),
  kraken: Object.freeze({ "BTC/EUR": 59000.1, "ETH/EUR": 2870.4 }),
  coinbasepro: Object.freeze({ "BTC/USD": 64010.0, "ETH/USD": 3101.0 }),
})
