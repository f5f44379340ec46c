import { Inject } from "@nestjs/common"
import { ConfigError } from "@grantflow/core"
import { getOAuthClientToken } from "./grantflow.constants.js"

// forRootAsync only learns its client names when the factory runs, long after Nest has read the
// module's providers, so the names asked for by this decorator are what it can declare up front.
const injectedNames = new Set<string>()

/** Every name passed to `@InjectOAuthClient` so far (in the order first seen). */
export const injectedClientNames = (): ReadonlyArray<string> => [...injectedNames]

/**
 * Injects the named `OAuthClient` (the Promise facade of `@grantflow/core`) configured in
 * `GrantflowModule.forRoot({ clients: { [name]: ... } })` or returned by `forRootAsync`'s factory.
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
  injectedNames.add(name)
  return Inject(getOAuthClientToken(name))
}
