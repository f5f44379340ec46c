// A real local HTTP server that answers each request with a scripted answer: any status,
// headers and body bytes, or a misbehaviour on the wire (a body cut short, a reset, a stall).
// The property tests and the token-answer tests point a provider's endpoints at it.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"

export type Wire =
  /** Answer normally. */
  | "normal"
  /** Declare the full length, send part of the body, then close: a body cut mid-way. */
  | "cut"
  /** Destroy the connection before answering. */
  | "reset"
  /** Send the headers, then nothing more. */
  | "stall-body"
  /** Never answer at all. */
  | "stall"

export interface ScriptedAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
  readonly wire?: Wire | undefined
}

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface AnswerServer {
  readonly url: string
  /** Registers an answer and returns the URL that serves it (every request to it gets the same answer). */
  serve(answer: ScriptedAnswer, path?: string): string
  /** The requests that reached a URL returned by `serve`. */
  requestsTo(url: string): ReadonlyArray<RecordedRequest>
  /** Forgets every registered answer and recorded request. */
  reset(): void
  stop(): Promise<void>
}

export const startAnswerServer = async (): Promise<AnswerServer> => {
  const answers = new Map<string, ScriptedAnswer>()
  const requests = new Map<string, Array<RecordedRequest>>()
  const sockets = new Set<Socket>()
  const stalled = new Set<ServerResponse>()
  let next = 0

  const answer = (res: ServerResponse, a: ScriptedAnswer) => {
    const bytes = typeof a.body === "string" ? Buffer.from(a.body, "utf8") : Buffer.from(a.body)
    const wire = a.wire ?? "normal"
    if (wire === "reset") {
      const socket = res.socket
      if (socket && typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
      else socket?.destroy()
      return
    }
    if (wire === "stall") {
      stalled.add(res)
      return
    }
    const headers: Record<string, string> = { ...a.headers }
    try {
      if (wire === "stall-body") {
        res.writeHead(a.status, { ...headers, "content-length": String(bytes.length + 1) })
        res.write(bytes)
        stalled.add(res)
        return
      }
      if (wire === "cut") {
        res.writeHead(a.status, { ...headers, "content-length": String(bytes.length + 16) })
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
        setImmediate(() => res.socket?.destroy())
        return
      }
      res.writeHead(a.status, { ...headers, "content-length": String(bytes.length) })
      res.end(bytes)
    } catch {
      // A header value Node refuses to send: the client sees a reset, also a valid test case.
      res.socket?.destroy()
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!
      const scripted = answers.get(path)
      const list = requests.get(path) ?? []
      list.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      })
      requests.set(path, list)
      if (scripted === undefined) {
        res.writeHead(404, { "content-type": "text/plain" }).end("no answer scripted")
        return
      }
      answer(res, scripted)
    })
  })
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    serve: (a, path) => {
      const p = path ?? `/a/${next++}`
      answers.set(p, a)
      return `${url}${p}`
    },
    requestsTo: (u) => requests.get(new URL(u).pathname) ?? [],
    reset: () => {
      answers.clear()
      requests.clear()
      for (const res of stalled) res.destroy()
      stalled.clear()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
