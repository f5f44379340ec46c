import { type DynamicModule, Module, type Provider } from "@nestjs/common"
import { ConfigError } from "@grantflow/core"
import { GrantflowClients } from "./grantflow-clients.service.js"
import { getOAuthClientToken } from "./grantflow.constants.js"
import {
  ConfigurableModuleClass,
  type GrantflowModuleAsyncOptions,
  type GrantflowModuleRootOptions,
} from "./grantflow.module-definition.js"

/**
 * One singleton provider per client name, known when the module is declared (forRoot's keys,
 * forRootAsync's `clientNames`), so injection never depends on the order in which modules and
 * decorated classes are evaluated. A name the options do not configure stops the bootstrap with
 * `GrantflowClients.get`'s ConfigError, which names the configured clients.
 */
const withClientProviders = (definition: DynamicModule, names: ReadonlyArray<string>): DynamicModule => ({
  ...definition,
  providers: [
    ...(definition.providers ?? []),
    ...names.map((name): Provider => ({
      provide: getOAuthClientToken(name),
      useFactory: (clients: GrantflowClients) => clients.get(name),
      inject: [GrantflowClients],
    })),
  ],
  exports: [...(definition.exports ?? []), GrantflowClients, ...names.map(getOAuthClientToken)],
})

const checkedNames = (names: unknown): ReadonlyArray<string> => {
  if (
    !Array.isArray(names) ||
    names.some((name) => typeof name !== "string" || name.length === 0) ||
    new Set(names).size !== names.length
  ) {
    throw new ConfigError({
      reason:
        'GrantflowModule.forRootAsync: `clientNames` must list the names of the clients the factory configures (distinct non-empty strings), e.g. clientNames: ["cryptofuse"]',
    })
  }
  return names
}

/**
 * The NestJS module over `@grantflow/core`: named OAuth clients, injectable with
 * `@InjectOAuthClient(name)` or looked up with `GrantflowClients`, disposed on shutdown.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [GrantflowModule.forRoot({ clients: { cryptofuse: Providers.cryptofuse({ clientId, clientSecret }) } })],
 * })
 * export class AppModule {}
 * ```
 */
@Module({ providers: [GrantflowClients], exports: [GrantflowClients] })
export class GrantflowModule extends ConfigurableModuleClass {
  /** Configures the clients from values at hand. `isGlobal: true` makes them injectable everywhere. */
  static override forRoot(options: GrantflowModuleRootOptions): DynamicModule {
    const names =
      typeof options?.clients === "object" && options.clients !== null ? Object.keys(options.clients) : []
    return withClientProviders(super.forRoot(options), names)
  }

  /**
   * Configures the clients from a factory (e.g. one reading `ConfigService`). The factory only
   * runs at bootstrap, so the names to inject are listed beside it in `clientNames`.
   *
   * @example
   * ```ts
   * GrantflowModule.forRootAsync({
   *   clientNames: ["cryptofuse"],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ clients: { cryptofuse: Providers.cryptofuse({ ... }) } }),
   * })
   * ```
   */
  static override forRootAsync(options: GrantflowModuleAsyncOptions): DynamicModule {
    const { clientNames = [], ...rest } = options
    return withClientProviders(super.forRootAsync(rest), checkedNames(clientNames))
  }
}
