/**
 * The demo's TokenStore: tokens in memory, plus a ledger of when each entry was first stored and
 * how often its access token was replaced since. The clients write through it (callback, refresh,
 * client-credentials renewal), so the pages can show "refreshed at ..." without the demo ever
 * calling `refresh` itself: what they show is what grantflow did.
 */
import { type Provider, SessionKey, type TokenSet, TokenStore } from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** One store entry: the tokens and their history. */
export interface LedgerEntry {
  readonly tokens: TokenSet
  /** When the entry was first stored (login, or the first client-credentials token). */
  readonly obtainedAt: Date
  /** When the access token was last replaced (refresh, or a new client-credentials token). */
  readonly refreshedAt: Date | undefined
  /** How many times the access token was replaced. */
  readonly refreshCount: number
}

/** The TokenStore keys core uses for a user's session and for a client's own (client-credentials) token. */
export const storeKey = {
  user: (provider: Provider, session: string): string => SessionKey.user(provider, session),
  client: (provider: Provider): string => SessionKey.clientCredentials(provider),
}

/** A TokenStore that remembers each entry's history; give `ledger.store` to the OAuth clients. */
export class TokenLedger {
  readonly #entries = new Map<string, LedgerEntry>()

  /** The TokenStore for `createOAuthClient` / `GrantflowModule` (`tokenStore`). */
  readonly store: TokenStore["Service"] = TokenStore.of({
    // A Map in this process: the in-memory refresh lock guards it.
    processLocal: true,
    get: (key) =>
      Effect.sync(() => Option.map(Option.fromNullishOr(this.#entries.get(key)), (e) => e.tokens)),
    set: (key, tokens) =>
      Effect.sync(() => {
        this.#record(key, tokens)
      }),
    delete: (key) =>
      Effect.sync(() => {
        this.#entries.delete(key)
      }),
  })

  #record(key: string, tokens: TokenSet): void {
    const previous = this.#entries.get(key)
    const now = new Date()
    if (previous === undefined) {
      this.#entries.set(key, { tokens, obtainedAt: now, refreshedAt: undefined, refreshCount: 0 })
      return
    }
    const replaced = Redacted.value(previous.tokens.accessToken) !== Redacted.value(tokens.accessToken)
    this.#entries.set(key, {
      tokens,
      obtainedAt: previous.obtainedAt,
      refreshedAt: replaced ? now : previous.refreshedAt,
      refreshCount: previous.refreshCount + (replaced ? 1 : 0),
    })
  }

  /** The entry under `key` as stored now (no network, no refresh). */
  entry(key: string): LedgerEntry | undefined {
    return this.#entries.get(key)
  }

  /** Every key that holds tokens. */
  keys(): ReadonlyArray<string> {
    return [...this.#entries.keys()]
  }
}
