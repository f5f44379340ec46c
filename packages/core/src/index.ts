/**
 * @grantflow/core: OAuth 2.0 client flows, provider dialects and token lifecycle on Effect,
 * with a Promise facade for everyone else.
 */
export * from "./Errors.js"
export type { Dialect } from "./Dialect.js"
export { rfc6749 } from "./Dialect.js"
export type { ClientCredentials as ClientIdentity, Endpoints, Provider } from "./Provider.js"
export type { TokenSet, TokenSetJson } from "./TokenSet.js"
export { decodeTokenSet, encodeTokenSet, tokenSetFromJson, tokenSetToJson } from "./TokenSet.js"
export type { PendingAuthorization } from "./PendingAuthorization.js"
export type { DeviceAuthorization, DeviceAuthorizationOptions } from "./DeviceAuthorization.js"
export type { Introspection, IntrospectOptions } from "./Introspection.js"
export { decodePending, encodePending } from "./PendingAuthorization.js"
export type { PreparedAuthorization } from "./Authorize.js"
export type { CallbackInput, CallbackQuery } from "./Callback.js"
export { StateStore } from "./StateStore.js"
export { TokenStore, type PromiseTokenStore } from "./TokenStore.js"
export {
  encryptedTokenStore,
  generateEncryptionKey,
  type EncryptionKey,
  type EncryptionOptions,
} from "./EncryptedTokenStore.js"
export { encryptedStateStore } from "./EncryptedStateStore.js"
export * as PendingSeal from "./PendingSeal.js"
export { RefreshLock } from "./RefreshLock.js"
export type {
  AccessTokenOptions,
  AuthorizationRequest,
  AuthorizationUrlOptions,
  CallbackOptions,
  OAuthClient,
  OAuthSession,
  SecretInput,
  SessionRequestInit,
} from "./OAuthClient.js"
export {
  HttpTransport,
  describeRequest,
  parseRetryAfter,
  type HttpRequest,
  type FetchLike,
  type HttpResponse,
  type RetrySafety,
  type Send,
  type TransportOptions,
} from "./Transport.js"
export * as Providers from "./Providers.js"
export { cryptohopperDialect } from "./providers/Cryptohopper.js"
export { cryptofuseDialect } from "./providers/Cryptofuse.js"
export * as OAuth from "./OAuth.js"
export { ApiClient, type ApiClientOptions, type ApiError, type ApiRequestInit } from "./ApiClient.js"
export * as TokenRequest from "./TokenRequest.js"
export * as TokenResponse from "./TokenResponse.js"
export * as Pkce from "./Pkce.js"
export {
  TokenManager,
  type GetTokenOptions,
  type TokenChange,
  type TokenChangeReason,
  type TokenError,
  type TokenManagerOptions,
  type TokenServices,
} from "./TokenManager.js"
export * as RefreshPolicy from "./RefreshPolicy.js"
export * as RefreshRefusal from "./RefreshRefusal.js"
export * as SessionKey from "./SessionKey.js"
export * as MemoryStateStore from "./MemoryStateStore.js"
export * as MemoryTokenStore from "./MemoryTokenStore.js"
export * as MemoryRefreshLock from "./MemoryRefreshLock.js"
export * as Stores from "./Stores.js"
export { createOAuthClient, type OAuthClientOptions, type ServiceInput } from "./createOAuthClient.js"
