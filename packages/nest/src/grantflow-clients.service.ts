import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common"
import { ConfigError, createOAuthClient, type OAuthClient, type Provider } from "@grantflow/core"
import { GRANTFLOW_MODULE_OPTIONS } from "./grantflow.constants.js"
import type {
  GrantflowClientConfig,
  GrantflowClientOptions,
  GrantflowModuleOptions,
} from "./interfaces/index.js"

const isProvider = (u: unknown): u is Provider =>
  typeof u === "object" && u !== null && "endpoints" in u && "dialect" in u && "client" in u

const entryOf = (name: string, config: GrantflowClientConfig | undefined) => {
  if (isProvider(config)) return { provider: config, options: undefined }
  if (
    typeof config === "object" &&
    config !== null &&
    isProvider((config as { provider?: unknown }).provider)
  ) {
    return config as { provider: Provider; options?: GrantflowClientOptions | undefined }
  }
  throw new ConfigError({
    reason: `GrantflowModule: client "${name}" must be a Provider (e.g. Providers.cryptofuse({...})) or { provider, options }`,
  })
}

const optionsFor = (
  module: GrantflowModuleOptions,
  own: GrantflowClientOptions | undefined,
): GrantflowClientOptions | undefined => {
  const shared: Record<string, unknown> = { ...module.clientOptions }
  for (const key of ["stores", "tokenStore", "stateStore", "refreshLock"] as const) {
    if (module[key] !== undefined) shared[key] = module[key]
  }
  const merged = { ...shared, ...own }
  return Object.keys(merged).length === 0 ? undefined : (merged as GrantflowClientOptions)
}

/**
 * Every client of the module by name: for code that picks a provider at run time (e.g. from a
 * route parameter). Disposes all of them when the application shuts down.
 *
 * @example
 * ```ts
 * constructor(private readonly clients: GrantflowClients) {}
 * connect(@Param("provider") name: string) { return this.clients.get(name).authorizationUrl() }
 * ```
 */
@Injectable()
export class GrantflowClients implements OnApplicationShutdown {
  readonly #clients = new Map<string, OAuthClient>()
  #disposed: Promise<void> | undefined

  constructor(@Inject(GRANTFLOW_MODULE_OPTIONS) options: GrantflowModuleOptions) {
    if (typeof options?.clients !== "object" || options.clients === null) {
      throw new ConfigError({ reason: "GrantflowModule: `clients` must be an object of named providers" })
    }
    try {
      for (const [name, config] of Object.entries(options.clients)) {
        const { provider, options: own } = entryOf(name, config)
        this.#clients.set(name, createOAuthClient(provider, optionsFor(options, own)))
      }
    } catch (e) {
      // Nest never calls shutdown hooks on a provider whose constructor threw.
      void this.dispose()
      throw e
    }
  }

  /** The client named `name`; a `ConfigError` naming the configured ones when there is none. */
  get(name: string): OAuthClient {
    const client = this.#clients.get(name)
    if (client) return client
    const known = [...this.#clients.keys()].map((n) => `"${n}"`).join(", ") || "none"
    throw new ConfigError({
      reason: `GrantflowModule: no OAuth client named "${name}" (configured: ${known})`,
    })
  }

  /** Whether a client named `name` is configured. */
  has(name: string): boolean {
    return this.#clients.has(name)
  }

  /** The configured names, in configuration order. */
  names(): ReadonlyArray<string> {
    return [...this.#clients.keys()]
  }

  /** Disposes every client once (later calls wait for the same disposal); one failing is logged and does not stop the others. */
  dispose(): Promise<void> {
    this.#disposed ??= Promise.allSettled(
      [...this.#clients].map(([name, client]) =>
        client.dispose().catch((e: unknown) => {
          new Logger("GrantflowClients").warn(`Disposing OAuth client "${name}" failed: ${String(e)}`)
        }),
      ),
    ).then(() => undefined)
    return this.#disposed
  }

  /** Called by Nest on `app.close()` (and on signals with `enableShutdownHooks()`). */
  onApplicationShutdown(): Promise<void> {
    return this.dispose()
  }
}
