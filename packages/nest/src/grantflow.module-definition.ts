import { ConfigurableModuleBuilder } from "@nestjs/common"
import { GRANTFLOW_MODULE_OPTIONS } from "./grantflow.constants.js"
import type { GrantflowModuleOptions } from "./interfaces/index.js"

/** Extras accepted by both `forRoot` and `forRootAsync`, beside the module options. */
export interface GrantflowModuleExtras {
  /** Register the module globally, so every module can inject its clients without importing it. */
  readonly isGlobal?: boolean
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<GrantflowModuleOptions>({ optionsInjectionToken: GRANTFLOW_MODULE_OPTIONS })
    .setClassMethodName("forRoot")
    .setExtras<GrantflowModuleExtras>({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? false,
    }))
    .build()

/** What `GrantflowModule.forRoot` takes: the module options plus `isGlobal`. */
export type GrantflowModuleRootOptions = typeof OPTIONS_TYPE

/**
 * What `GrantflowModule.forRootAsync` takes: `clientNames`, `imports`, `inject`, `useFactory` (or
 * `useClass`/`useExisting`) plus `isGlobal`.
 */
export type GrantflowModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE & {
  /**
   * The names of the clients the factory configures, each injectable with
   * `@InjectOAuthClient(name)`. Nest reads a module's providers before any factory runs, so the
   * names are given here, next to the factory (as `BullModule.registerQueueAsync({ name })` does).
   * A listed name the factory does not configure stops the bootstrap with a `ConfigError`; a
   * configured name not listed is still reachable through `GrantflowClients.get(name)` (and
   * `@InjectOAuthClient(name)` of it fails as an unknown dependency). Default: none.
   */
  readonly clientNames?: ReadonlyArray<string> | undefined
}
