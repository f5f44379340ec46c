import { Inject } from "@nestjs/common"
import { ConfigError } from "@grantflow/core"
import { getOAuthClientToken } from "./grantflow.constants.js"

/**
 * Injects the named `OAuthClient` (the Promise facade of `@grantflow/core`) configured in
 * `GrantflowModule.forRoot({ clients: { [name]: ... } })`, or listed in `forRootAsync`'s
 * `clientNames` and returned by its factory.
 *
 * @example
 * ```ts
 * @Controller("rates")
 * class RatesController {
 *   constructor(@InjectOAuthClient("cryptofuse") private readonly fuse: OAuthClient) {}
 *   @Get() rates() { return this.fuse.fetch("/rates/").then((r) => r.json()) }
 * }
 * ```
 */
export const InjectOAuthClient = (name: string): PropertyDecorator & ParameterDecorator => {
  if (typeof name !== "string" || name.length === 0) {
    throw new ConfigError({ reason: "@InjectOAuthClient(name) needs the client's name, a non-empty string" })
  }
  return Inject(getOAuthClientToken(name))
}
