/** Injection token of the resolved `GrantflowModuleOptions` (what `forRoot` got or `forRootAsync` produced). */
export const GRANTFLOW_MODULE_OPTIONS = "GRANTFLOW_MODULE_OPTIONS"

const CLIENT_TOKEN_PREFIX = "GrantflowOAuthClient:"

/**
 * The injection token of the named client `name`, for `@Inject(...)`, `moduleRef.get(...)` or
 * `overrideProvider(...)` in tests. `@InjectOAuthClient(name)` is the same as `@Inject(getOAuthClientToken(name))`.
 *
 * @example
 * ```ts
 * const fuse = app.get<OAuthClient>(getOAuthClientToken("cryptofuse"))
 * ```
 */
export const getOAuthClientToken = (name: string): string => `${CLIENT_TOKEN_PREFIX}${name}`
