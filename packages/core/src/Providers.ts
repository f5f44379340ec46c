/**
 * The provider presets. Each returns a plain, frozen Provider and throws ConfigError right away
 * when a setting is wrong (bad URL, plain http to a non-loopback host, missing secret).
 *
 * @example
 * ```ts
 * import { Providers } from "@grantflow/core"
 * const hopper = Providers.cryptohopper({ clientId, clientSecret, redirectUri })
 * const fuse = Providers.cryptofuse({ clientId, clientSecret, auth: "post" })
 * const idp = await Providers.discover("https://idp.example", { clientId, clientSecret })
 * ```
 */
import * as Effect from "effect/Effect"
import type * as Discovery from "./Discovery.js"
import type { Provider } from "./Provider.js"
import { HttpTransport, type TransportOptions } from "./Transport.js"
import { discover as discoverLazily } from "./internal/lazyFlows.js"
import { runPromise } from "./internal/runPromise.js"
import { cryptofuse } from "./providers/Cryptofuse.js"
import { cryptohopper } from "./providers/Cryptohopper.js"
import { generic } from "./providers/Generic.js"

export type { CryptofuseOptions } from "./providers/Cryptofuse.js"
export type { CryptohopperOptions } from "./providers/Cryptohopper.js"
export type { GenericOptions } from "./providers/Generic.js"
export type { DiscoverOptions } from "./Discovery.js"

export { cryptofuse, cryptohopper, generic }

/** Discovers a provider from its issuer's metadata (RFC 8414, then OpenID Connect); rejects with the tagged errors. */
export const discover = (
  issuer: string,
  options: Discovery.DiscoverOptions & TransportOptions,
): Promise<Provider> =>
  runPromise(discoverLazily(issuer, options).pipe(Effect.provideService(HttpTransport, HttpTransport.make(options))))

/** The Effect twin of `discover`, using the HttpTransport from the context. */
export const discoverEffect: typeof Discovery.discover = discoverLazily
