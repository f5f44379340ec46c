import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { ClientRegistry } from "./ClientRegistry.js"
import type { SandboxClient, SandboxClientUpdate } from "./Clients.js"
import { CryptofuseData } from "./cryptofuse/CryptofuseData.js"
import { AuthorizationCodes } from "./cryptohopper/AuthorizationCodes.js"
import { ConsentRequests } from "./cryptohopper/ConsentRequests.js"
import { applyFault, FaultQueue, type SandboxFaults } from "./Faults.js"
import { sendJson } from "./http/Reply.js"
import { route } from "./Routes.js"
import type { SandboxContext } from "./SandboxContext.js"
import { CONSENT_MODES, resolveOptions, type ConsentMode, type SandboxOptions } from "./SandboxOptions.js"
import { StatsCounter, type SandboxStats } from "./Stats.js"
import { TokenRegistry } from "./TokenRegistry.js"

/** Where the emulated Cryptohopper lives on a running sandbox. */
export interface CryptohopperEndpoints {
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  /** A sandbox extension (RFC 7009); the real Cryptohopper documents none. */
  readonly revocationEndpoint: string
  /** Base of the API, e.g. `${apiBase}/user/get`. */
  readonly apiBase: string
}

/** Where the emulated Cryptofuse lives on a running sandbox. */
export interface CryptofuseEndpoints {
  /** The `BASE_URL` of Cryptofuse's docs: the API and `/o/token/` hang off it. */
  readonly baseUrl: string
  readonly tokenEndpoint: string
  readonly revocationEndpoint: string
  /** RFC 7662 introspection, as django-oauth-toolkit serves it at `/o/introspect/`. */
  readonly introspectionEndpoint: string
}

/** A running sandbox. Each instance keeps its own clients, tokens and faults. */
export interface Sandbox {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string
  readonly port: number
  readonly cryptohopper: CryptohopperEndpoints
  readonly cryptofuse: CryptofuseEndpoints
  /** The registered clients, as of now. */
  readonly clients: ReadonlyArray<SandboxClient>
  /** Registers another client (e.g. one whose redirect URI points at a test app's random port). */
  addClient(client: SandboxClient): SandboxClient
  /** Changes a registered client, e.g. its redirect URIs. */
  updateClient(clientId: string, update: SandboxClientUpdate): SandboxClient
  /** Fault injection for the next requests to an endpoint group. */
  readonly faults: SandboxFaults
  /** Request counters. */
  readonly stats: SandboxStats
  /** The current consent mode. */
  readonly consent: ConsentMode
  /** "page" for people, "approve"/"deny" to answer Cryptohopper authorizations at once. */
  setConsent(mode: ConsentMode): void
  /** Makes every access token issued so far expired now (tokens issued later are fresh). */
  expireAccessTokens(): void
  /** Closes the server and every connection, keep-alive ones included. Safe to call twice. */
  stop(): Promise<void>
}

const formatHost = (host: string): string => (host.includes(":") ? `[${host}]` : host)

/**
 * Starts a sandbox and resolves once it listens.
 *
 * @example
 * const sb = await startSandbox({ consent: "approve" })
 * const res = await fetch(sb.cryptofuse.tokenEndpoint, {
 *   method: "POST",
 *   body: new URLSearchParams({ grant_type: "client_credentials", client_id: "fuse-client", client_secret: "fuse-secret-with/special+chars" }),
 * })
 * await sb.stop()
 */
export const startSandbox = async (options?: SandboxOptions): Promise<Sandbox> => {
  const resolved = resolveOptions(options)
  const now = resolved.now
  let baseUrl = ""
  const ctx: SandboxContext = {
    options: resolved,
    consent: resolved.consent,
    clients: new ClientRegistry(resolved.clients),
    tokens: new TokenRegistry(now),
    codes: new AuthorizationCodes(now),
    consents: new ConsentRequests(now),
    cryptofuse: new CryptofuseData(),
    now,
    baseUrl: () => baseUrl,
  }
  const faults = new FaultQueue()
  const stats = new StatsCounter()
  const sockets = new Set<Socket>()
  const timers = new Map<NodeJS.Timeout, (completed: boolean) => void>()
  let stopped = false

  const sleep = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (stopped) return resolve(false)
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve(true)
      }, ms)
      timers.set(timer, resolve)
    })

  const parseUrl = (req: IncomingMessage): URL | undefined => {
    const target = req.url ?? "/"
    try {
      // Origin-form targets are joined to the base by hand: `new URL("//x", base)` would read "x" as a host.
      return target.startsWith("/") ? new URL(`${baseUrl}${target}`) : new URL(target)
    } catch {
      return undefined
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseUrl(req)
    if (!url)
      return sendJson(res, 400, {
        error: "invalid_request",
        error_description: "The request target is not a valid URL.",
      })
    const found = route(url.pathname)
    if (!found)
      return sendJson(res, 404, {
        error: "not_found",
        error_description: `Nothing at ${url.pathname}; see GET / for the endpoints.`,
      })
    if (found.target) {
      stats.countRequest(found.target)
      if (found.tokenEndpointOf && req.method === "POST") stats.countTokenRequest(found.tokenEndpointOf)
      const fault = faults.take(found.target)
      if (fault && (await applyFault(found.target, fault, req, res, sleep)) === "answered") return
    }
    await found.handler({ req, res, url, path: found.path, ctx })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // A bug in a handler must not take the sandbox (and the test run) down with it.
      if (!res.headersSent)
        sendJson(res, 500, { error: "server_error", error_description: "The sandbox failed to answer." })
      else res.destroy()
    })
  })
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  server.on("clientError", (_error, socket: Socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", onError)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  baseUrl = `http://${formatHost(resolved.host)}:${port}`

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      stopped = true
      for (const [timer, resolveSleep] of timers) {
        clearTimeout(timer)
        resolveSleep(false)
      }
      timers.clear()
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    })
    return stopping
  }

  return {
    url: baseUrl,
    port,
    cryptohopper: Object.freeze({
      authorizationEndpoint: `${baseUrl}/cryptohopper/oauth2/authorize`,
      tokenEndpoint: `${baseUrl}/cryptohopper/oauth2/token`,
      revocationEndpoint: `${baseUrl}/cryptohopper/oauth2/revoke`,
      apiBase: `${baseUrl}/cryptohopper/v1`,
    }),
    cryptofuse: Object.freeze({
      baseUrl: `${baseUrl}/cryptofuse`,
      tokenEndpoint: `${baseUrl}/cryptofuse/o/token/`,
      revocationEndpoint: `${baseUrl}/cryptofuse/o/revoke_token/`,
      introspectionEndpoint: `${baseUrl}/cryptofuse/o/introspect/`,
    }),
    get clients() {
      return ctx.clients.list()
    },
    addClient: (client) => ctx.clients.add(client),
    updateClient: (clientId, update) => ctx.clients.update(clientId, update),
    faults,
    stats,
    get consent() {
      return ctx.consent
    },
    setConsent: (mode) => {
      if (!CONSENT_MODES.includes(mode))
        throw new TypeError(`consent must be one of ${CONSENT_MODES.join(", ")}`)
      ctx.consent = mode
    },
    expireAccessTokens: () => ctx.tokens.expireAccessTokens(),
    stop,
  }
}
