/**
 * Where token sets live between calls, keyed by session (`provider:client:cc:scopes` for client
 * credentials, `provider:client:user:<id>` for a user). Memory by default; `@grantflow/redis`
 * shares it across instances. `set` is awaited before a refreshed token is handed out.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { StoreError } from "./Errors.js"
import type { TokenSet } from "./TokenSet.js"

export class TokenStore extends Context.Service<
  TokenStore,
  {
    readonly get: (key: string) => Effect.Effect<Option.Option<TokenSet>, StoreError>
    readonly set: (key: string, tokens: TokenSet) => Effect.Effect<void, StoreError>
    readonly delete: (key: string) => Effect.Effect<void, StoreError>
    /**
     * `true` when only this process ever reads and writes the store (memory; a file no other
     * process opens). Undefined or `false` means others may share it, and then the client refuses
     * to pair it with the in-memory RefreshLock (see Stores).
     */
    readonly processLocal?: boolean | undefined
  }
>()("@grantflow/core/TokenStore") {}
