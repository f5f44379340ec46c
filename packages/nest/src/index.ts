export { GrantflowModule } from "./grantflow.module.js"
export type {
  GrantflowModuleAsyncOptions,
  GrantflowModuleExtras,
  GrantflowModuleRootOptions,
} from "./grantflow.module-definition.js"
export { GRANTFLOW_MODULE_OPTIONS, getOAuthClientToken } from "./grantflow.constants.js"
export { GrantflowClients } from "./grantflow-clients.service.js"
export { InjectOAuthClient } from "./inject-oauth-client.decorator.js"
export { OAuthExceptionFilter } from "./oauth-exception.filter.js"
export {
  isOAuthError,
  toOAuthHttpError,
  type OAuthHttpError,
  type OAuthHttpMapping,
} from "./oauth-http-error.js"
export type * from "./interfaces/index.js"
