/**
 * `@grantflow/core/ky`: the parts of grantflow that run on ky, behind their own entry point so
 * that `@grantflow/core` itself never loads ky (an optional peer dependency: install it only if
 * you use these).
 *
 * @example
 * ```ts
 * import { createOAuthClient } from "@grantflow/core"
 * import { KyTransport } from "@grantflow/core/ky"
 * const client = createOAuthClient(provider, { transport: KyTransport.layer({ timeoutMs: 5_000 }) })
 * ```
 */
export * as KyTransport from "./KyTransport.js"
