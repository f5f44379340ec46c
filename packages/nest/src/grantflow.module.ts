import { type DynamicModule, Module, type Provider, Scope } from "@nestjs/common"
import { GrantflowClients } from "./grantflow-clients.service.js"
import { getOAuthClientToken } from "./grantflow.constants.js"
import {
  ConfigurableModuleClass,
  type GrantflowModuleAsyncOptions,
  type GrantflowModuleRootOptions,
} from "./grantflow.module-definition.js"
import { injectedClientNames } from "./inject-oauth-client.decorator.js"

const clientProvider = (name: string, scope: Scope): Provider => ({
  provide: getOAuthClientToken(name),
  useFactory: (clients: GrantflowClients) => clients.get(name),
  inject: [GrantflowClients],
  scope,
})

/**
 * Adds one provider per client name. Names known up front (forRoot) are plain singletons. Names
 * only known from `@InjectOAuthClient` are transient: Nest builds a transient provider only for a
 * class that injects it, so a name this app never injects costs nothing, and one it injects but
 * did not configure stops the bootstrap with a ConfigError naming the configured clients.
 */
const withClientProviders = (definition: DynamicModule, configured: ReadonlyArray<string>): DynamicModule => {
  const declaredLater = injectedClientNames().filter((name) => !configured.includes(name))
  const providers = [
    ...configured.map((name) => clientProvider(name, Scope.DEFAULT)),
    ...declaredLater.map((name) => clientProvider(name, Scope.TRANSIENT)),
  ]
  return {
    ...definition,
    providers: [...(definition.providers ?? []), ...providers],
    exports: [
      ...(definition.exports ?? []),
      GrantflowClients,
      ...[...configured, ...declaredLater].map(getOAuthClientToken),
    ],
  }
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
   * Configures the clients from a factory (e.g. one reading `ConfigService`). The factory's client
   * names are unknown until it runs, so only names used with `@InjectOAuthClient` get their own
   * injection token; look any client up with `GrantflowClients.get(name)`.
   */
  static override forRootAsync(options: GrantflowModuleAsyncOptions): DynamicModule {
    return withClientProviders(super.forRootAsync(options), [])
  }
}
