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
  /** Where every client keeps its tokens (e.g. `@grantflow/redis`), unless its own options say otherwise. */
  readonly tokenStore?: GrantflowClientOptions["tokenStore"] | undefined
  /** Where every client keeps pending authorization requests, unless its own options say otherwise. */
  readonly stateStore?: GrantflowClientOptions["stateStore"] | undefined
}
