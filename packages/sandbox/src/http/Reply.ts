import type { ServerResponse } from "node:http"

/** Extra response headers. */
export type Headers = Readonly<Record<string, string>>

const send = (
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: string | Buffer,
  headers: Headers = {},
) => {
  if (res.headersSent || res.destroyed) return
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  if (contentType) res.setHeader("content-type", contentType)
  res.setHeader("content-length", bytes.length)
  res.end(bytes)
}

/** Sends a JSON body. */
export const sendJson = (res: ServerResponse, status: number, body: unknown, headers?: Headers): void =>
  send(res, status, "application/json", JSON.stringify(body), headers)

/** Sends token-endpoint JSON, which RFC 6749 §5.1 says must not be cached. */
export const sendTokenJson = (res: ServerResponse, status: number, body: unknown, headers?: Headers): void =>
  sendJson(res, status, body, { "cache-control": "no-store", pragma: "no-cache", ...headers })

/** Sends an HTML page. */
export const sendHtml = (res: ServerResponse, status: number, html: string, headers?: Headers): void =>
  send(res, status, "text/html; charset=utf-8", html, headers)

/** Sends a body with an explicit content type. */
export const sendRaw = (
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: string | Buffer,
  headers?: Headers,
): void => send(res, status, contentType, body, headers)

/** Sends a response without a body. */
export const sendEmpty = (res: ServerResponse, status: number, headers?: Headers): void =>
  send(res, status, undefined, "", headers)

/** Sends a redirect to `location`. */
export const redirect = (res: ServerResponse, location: string, status = 302): void =>
  send(res, status, undefined, "", { location, "cache-control": "no-store" })
