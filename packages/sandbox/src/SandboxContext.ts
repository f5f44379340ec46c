import type { IncomingMessage, ServerResponse } from "node:http"
import type { ClientRegistry } from "./ClientRegistry.js"
import type { AuthorizationCodes } from "./cryptohopper/AuthorizationCodes.js"
import type { ConsentRequests } from "./cryptohopper/ConsentRequests.js"
import type { CryptofuseData } from "./cryptofuse/CryptofuseData.js"
import type { ConsentMode, ResolvedOptions } from "./SandboxOptions.js"
import type { TokenRegistry } from "./TokenRegistry.js"

/** The state of one sandbox instance that request handlers share. */
export interface SandboxContext {
  readonly options: ResolvedOptions
  consent: ConsentMode
  readonly clients: ClientRegistry
  readonly tokens: TokenRegistry
  readonly codes: AuthorizationCodes
  readonly consents: ConsentRequests
  readonly cryptofuse: CryptofuseData
  readonly now: () => number
  /** "http://host:port" of the running server. */
  readonly baseUrl: () => string
}

/** One request being answered. `path` is relative to the provider prefix (e.g. "/oauth2/token"). */
export interface Exchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  readonly path: string
  readonly ctx: SandboxContext
}

/** A request handler. */
export type Handler = (exchange: Exchange) => Promise<void> | void
