/**
 * What one running demo is made of, decided in `startDemo` before Nest starts: which provider is
 * real and which is the embedded sandbox, the providers themselves, and the token ledger. The
 * Nest module receives it as a value (`DEMO_RUNTIME`), so several demos can run in one process.
 */
import type { Provider } from "@grantflow/core"
import type { Sandbox } from "@grantflow/sandbox"
import type { TokenLedger } from "./tokens/token-ledger.js"

/** Where a provider's requests go. */
export type ProviderMode = "sandbox" | "real"

/** The parts of one running demo, shared by its Nest providers. */
export interface DemoRuntime {
  readonly modes: { readonly cryptohopper: ProviderMode; readonly cryptofuse: ProviderMode }
  /** The embedded sandbox, when at least one provider runs on it. */
  readonly sandbox: Sandbox | undefined
  readonly cryptohopper: Provider
  readonly cryptofuse: Provider
  /** The redirect URI the strategy sends: relative (resolved per request) on the sandbox, the configured one otherwise. */
  readonly hopperCallbackURL: string
  readonly ledger: TokenLedger
  /** grantflow renews a provider's token up to this long before it expires, on the next call. */
  readonly refreshSkewMs: { readonly cryptohopper: number; readonly cryptofuse: number }
}

/** Nest injection token of the {@link DemoRuntime}. */
export const DEMO_RUNTIME = Symbol.for("@grantflow/demo/DemoRuntime")

/** Cryptohopper's scopes, and the ones the Connect form ticks by default (what the demo's calls need). */
export const HOPPER_SCOPES = ["read", "user", "notifications", "manage", "trade"] as const
export const HOPPER_DEFAULT_SCOPES: ReadonlyArray<string> = ["read", "user"]

/** Cryptofuse: payments and rates need `read`, and the seed asks clients to request only what they need. */
export const FUSE_SCOPES: ReadonlyArray<string> = ["read"]

/** The Cryptohopper API calls the page offers (any other plain path works through `/api/cryptohopper/call`). */
export const HOPPER_CALLS = [
  { path: "/hopper", label: "List hoppers" },
  { path: "/user/get", label: "Get user" },
  { path: "/exchange/ticker?exchange=binance&pair=BTC/USDT", label: "BTC/USDT ticker" },
] as const

/** The Cryptofuse API calls the page and `/api/cryptofuse/*` offer. */
export const FUSE_CALLS = [
  { path: "/payments/", label: "List payments", route: "payments" },
  { path: "/rates/", label: "Get rates", route: "rates" },
] as const
