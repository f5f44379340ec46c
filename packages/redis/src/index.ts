/**
 * `@grantflow/redis`: grantflow's TokenStore, StateStore and refresh lock on Redis, so that
 * several instances of an app share sessions and pending logins, and only one of them refreshes
 * a given token at a time.
 */
export * as RedisStores from "./RedisStores.js"
export * as RedisTokenStore from "./RedisTokenStore.js"
export * as RedisStateStore from "./RedisStateStore.js"
export * as RedisRefreshLock from "./RedisRefreshLock.js"
export { redisStores, type RedisStoresOptions, type RedisStoresServices } from "./RedisStores.js"
export { redisTokenStore, type RedisTokenStoreOptions } from "./RedisTokenStore.js"
export { redisStateStore, type RedisStateStoreOptions } from "./RedisStateStore.js"
export {
  redisRefreshLock,
  type RedisRefreshLockOptions,
  type RedisRefreshLockService,
} from "./RedisRefreshLock.js"
export type {
  RedisClientLike,
  RedisConnection,
  RedisStoreOptions,
  RedisSubscriberLike,
} from "./RedisClient.js"
