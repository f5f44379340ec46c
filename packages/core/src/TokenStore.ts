/**
 * Where token sets live between calls, keyed by session (`provider:client:cc:scopes` for client
 * credentials, `provider:client:user:<id>` for a user). Memory by default; `@grantflow/redis`
 * shares it across instances. `set` is awaited before a refreshed token is handed out.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { StoreError } from "./Errors.js"
import {
  type TokenSet,
  type TokenSetJson,
  decodeTokenSet,
  tokenSetFromJson,
  tokenSetToJson,
} from "./TokenSet.js"

/**
 * A token store written without Effect: plain async functions over plain JSON token sets
 * (`TokenSetJson`: strings and numbers, secrets in clear, so keep the storage private). `get`
 * may also return the string `encodeTokenSet` makes. See `TokenStore.fromPromise`.
 */
export interface PromiseTokenStore {
  get(
    key: string,
  ): Promise<TokenSetJson | string | null | undefined> | TokenSetJson | string | null | undefined
  set(key: string, tokens: TokenSetJson): Promise<void> | void
  delete(key: string): Promise<void> | void
}

/** What a failure of the caller's own store says: its code or name, never its message (which may quote data). */
const describeFailure = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === "string") return code
  return error instanceof Error ? error.name : "the store's promise rejected"
}

const attempt = <A>(operation: string, run: () => Promise<A> | A): Effect.Effect<A, StoreError> =>
  Effect.tryPromise({
    try: async () => run(),
    catch: (error) =>
      error instanceof StoreError ? error : new StoreError({ operation, detail: describeFailure(error) }),
  })

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
>()("@grantflow/core/TokenStore") {
  /**
   * A TokenStore over plain async functions, for persistence without writing Effect. What `get`
   * returns is decoded with the versioned schema (bad data is a `StoreError`, never a crash later);
   * a thrown error or rejection is a `StoreError` too. Declare `processLocal: true` when no other
   * process uses the same storage (a file of this app, say): a shared store needs a shared
   * `refreshLock` (see Stores).
   *
   * @example
   * ```ts
   * import { readFile, writeFile } from "node:fs/promises"
   * import { TokenStore, createOAuthClient } from "@grantflow/core"
   * const file = "./tokens.json"
   * const load = async () => JSON.parse(await readFile(file, "utf8").catch(() => "{}"))
   * const tokenStore = TokenStore.fromPromise(
   *   {
   *     get: async (key) => (await load())[key],
   *     set: async (key, tokens) => writeFile(file, JSON.stringify({ ...(await load()), [key]: tokens })),
   *     delete: async (key) => { const all = await load(); delete all[key]; await writeFile(file, JSON.stringify(all)) },
   *   },
   *   { processLocal: true },
   * )
   * const client = createOAuthClient(provider, { tokenStore })
   * ```
   */
  static readonly fromPromise = (
    store: PromiseTokenStore,
    options: { readonly processLocal?: boolean | undefined } = {},
  ): TokenStore["Service"] =>
    TokenStore.of({
      processLocal: options.processLocal,
      get: (key) =>
        Effect.flatMap(
          attempt("TokenStore.get", () => store.get(key)),
          (stored) =>
            stored === undefined || stored === null
              ? Effect.succeed(Option.none())
              : Effect.try({
                  try: () =>
                    Option.some(
                      typeof stored === "string" ? decodeTokenSet(stored) : tokenSetFromJson(stored),
                    ),
                  catch: (error) =>
                    error instanceof StoreError
                      ? error
                      : new StoreError({
                          operation: "TokenStore.get",
                          detail: "the stored value could not be read",
                        }),
                }),
        ),
      set: (key, tokens) => attempt("TokenStore.set", () => store.set(key, tokenSetToJson(tokens))),
      delete: (key) => attempt("TokenStore.delete", () => store.delete(key)),
    })
}
