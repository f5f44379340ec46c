export type {
  GrantflowClientConfig,
  GrantflowClientOptions,
  GrantflowModuleOptions,
} from "./grantflow-module-options.interface.js"
