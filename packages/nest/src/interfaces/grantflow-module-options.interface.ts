import type { OAuthClientOptions, Provider } from "@grantflow/core"

/** What `createOAuthClient` takes (stores, refresh lock, timeouts, retries, ...), for one client or all. */
export type GrantflowClientOptions = OAuthClientOptions

/** One named client: a `Provider` (from `Providers.*`), or a provider with its own client options. */
export type GrantflowClientConfig =
  Provider | { readonly provider: Provider; readonly options?: GrantflowClientOptions | undefined }

/**
 * What `GrantflowModule.forRoot` takes and `forRootAsync`'s factory returns.
 *
 * @example
 * ```ts
 * GrantflowModule.forRoot({
 *   clients: {
 *     cryptohopper: Providers.cryptohopper({ clientId, clientSecret, redirectUri }),
 *     cryptofuse: { provider: Providers.cryptofuse({ clientId, clientSecret }), options: { ... } },
 *   },
 * })
 * ```
 */
export interface GrantflowModuleOptions {
  /** The clients, by the name `@InjectOAuthClient(name)` and `GrantflowClients.get(name)` find them under. */
  readonly clients: Readonly<Record<string, GrantflowClientConfig>>
  /** Options for every client; a client's own `options` win field by field. */
  readonly clientOptions?: GrantflowClientOptions | undefined
  /**
   * Token store, state store and refresh lock of every client in one option, e.g.
   * `RedisStores.layer({ url })` from `@grantflow/redis` (a client's own options win service by service).
   */
  readonly stores?: GrantflowClientOptions["stores"] | undefined
  /**
   * Where every client keeps its tokens, unless its own options say otherwise. A store other
   * instances share needs a shared `refreshLock` (or use `stores`): beside the in-memory lock it is
   * refused with a ConfigError.
   */
  readonly tokenStore?: GrantflowClientOptions["tokenStore"] | undefined
  /** The refresh lock of every client (e.g. Redis'), unless its own options say otherwise. */
  readonly refreshLock?: GrantflowClientOptions["refreshLock"] | undefined
  /** Where every client keeps pending authorization requests, unless its own options say otherwise. */
  readonly stateStore?: GrantflowClientOptions["stateStore"] | undefined
}
