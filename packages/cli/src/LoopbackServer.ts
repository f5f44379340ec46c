/**
 * The one-shot HTTP listener of a native app's login (RFC 8252 §7.3): it listens on the redirect
 * URI's loopback address and port (port 0, so a free one, where the provider allows any), takes
 * exactly one callback on the redirect path whose `state` is the login's (or that carries an error
 * without state, as Cryptohopper sends when it refuses the client), answers the browser with a page
 * the caller writes, and closes. Other requests (a favicon, a stray or replayed callback) get a
 * plain answer and change nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { UsageError } from "./UsageError.js"

export interface Callback {
  /** The full URL the browser came back with. */
  readonly url: string
  /** Answers the browser and closes the listener. */
  readonly respond: (status: number, html: string) => Promise<void>
}

export interface LoopbackServer {
  /** The redirect URI to send: the configured one, with the chosen port when a free one was picked. */
  readonly redirectUri: string
  /** Sets the state the callback must carry. */
  readonly expect: (state: string) => void
  /** Resolves with the one callback. */
  readonly callback: Promise<Callback>
  readonly close: () => Promise<void>
}

const HOSTS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "127.0.0.1": ["127.0.0.1"],
  "[::1]": ["::1"],
  // The browser may resolve localhost to either address.
  localhost: ["127.0.0.1", "::1"],
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", reject)
      resolve()
    })
  })

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })

/** Starts listening for the redirect URI `configured`; `anyPort` picks a free port when it names none. */
export const start = async (configured: string, anyPort: boolean): Promise<LoopbackServer> => {
  if (!URL.canParse(configured)) throw new UsageError(`the redirect URI ${configured} is not a URL`)
  const uri = new URL(configured)
  const hosts = HOSTS[uri.hostname]
  if (uri.protocol !== "http:" || hosts === undefined) {
    throw new UsageError(
      `a terminal login needs a loopback redirect URI such as http://127.0.0.1/callback (RFC 8252 §7.3), not ${configured}; register one with the provider and set it with --redirect-uri`,
    )
  }
  const explicitPort = uri.port !== ""
  const wanted = explicitPort ? Number(uri.port) : anyPort ? 0 : 80

  let expected: string | undefined
  let taken = false
  let deliver!: (callback: Callback) => void
  const callback = new Promise<Callback>((resolve) => {
    deliver = resolve
  })
  const servers: Server[] = []
  const close = () => Promise.all(servers.map(closeServer)).then(() => undefined)

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", uri)
    if (req.method !== "GET" || url.pathname !== uri.pathname) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found")
      return
    }
    const state = url.searchParams.get("state")
    const isOurs =
      state === null ? url.searchParams.has("error") : expected !== undefined && state === expected
    if (taken || !isOurs) {
      res
        .writeHead(400, { "content-type": "text/plain; charset=utf-8" })
        .end("This is not the callback of the grantflow login in progress.")
      return
    }
    taken = true
    deliver({
      url: url.href,
      respond: async (status, html) => {
        await new Promise<void>((resolve) => {
          res.writeHead(status, {
            "content-type": "text/html; charset=utf-8",
            "cache-control": "no-store",
            "referrer-policy": "no-referrer",
            connection: "close",
          })
          res.end(html, () => resolve())
        })
        await close()
      },
    })
  }

  let port = wanted
  try {
    for (const host of hosts) {
      const server = createServer(handler)
      servers.push(server)
      try {
        await listen(server, port, host)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        // localhost without IPv6 on this machine: the IPv4 listener is enough.
        if (host === "::1" && hosts.length > 1 && (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT"))
          continue
        throw error
      }
      port = (server.address() as AddressInfo).port
    }
  } catch (error) {
    await close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === "EACCES") {
      throw new UsageError(
        `cannot listen on port ${wanted} of ${uri.hostname} for the redirect URI ${configured} (a privileged port); register a redirect URI with a port above 1023, e.g. http://127.0.0.1:8765/callback, and set it with --redirect-uri`,
      )
    }
    if (code === "EADDRINUSE") {
      throw new UsageError(
        `port ${wanted} of ${uri.hostname} is in use, so the redirect URI ${configured} cannot be served`,
      )
    }
    throw error
  }
  // Sent byte for byte as configured when it named its port; with the chosen port otherwise.
  const redirectUri = explicitPort || wanted !== 0 ? configured : withPort(uri, port)

  return {
    redirectUri,
    expect: (state) => {
      expected = state
    },
    callback,
    close,
  }
}

const withPort = (uri: URL, port: number): string => {
  const copy = new URL(uri.href)
  copy.port = String(port)
  return copy.href
}
