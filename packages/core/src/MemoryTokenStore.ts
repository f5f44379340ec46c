/**
 * The in-process TokenStore: token sets in a Map, keyed by session.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from "@grantflow/core"
 * const layer = MemoryTokenStore.layer()
 * ```
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { TokenSet } from "./TokenSet.js"
import { TokenStore } from "./TokenStore.js"

/** A fresh in-memory TokenStore. */
export const make = (): TokenStore["Service"] => {
  const tokens = new Map<string, TokenSet>()
  return TokenStore.of({
    processLocal: true,
    get: (key) => Effect.sync(() => Option.fromNullishOr(tokens.get(key))),
    set: (key, set) =>
      Effect.sync(() => {
        tokens.set(key, set)
      }),
    delete: (key) =>
      Effect.sync(() => {
        tokens.delete(key)
      }),
  })
}

/** A Layer with a fresh in-memory TokenStore. */
export const layer = (): Layer.Layer<TokenStore> => Layer.sync(TokenStore, make)
