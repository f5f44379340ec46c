import { OAuthTokenError } from "../OAuthTokenError.js"

/** `METHOD url-without-query`: how a request is named in messages (a query may hold a code). */
const describe = (method: string, url: string): string => `${method} ${url.split(/[?#]/)[0]}`

/**
 * fetch with a timeout that turns every failure to get an answer into a `TransportError`.
 * The implementation is read from a local so a user-supplied `window.fetch` is never called as a
 * method of an options object ("Illegal invocation").
 */
export const send = async (
  fetchImpl: typeof fetch | undefined,
  url: string,
  init: RequestInit & { method: string },
  timeoutMs: number,
): Promise<Response> => {
  const f: typeof fetch | undefined = fetchImpl ?? globalThis.fetch
  if (typeof f !== "function")
    throw new OAuthTokenError("ConfigError", "No fetch implementation is available")
  const signal =
    typeof AbortSignal !== "undefined" && typeof AbortSignal.timeout === "function"
      ? AbortSignal.timeout(timeoutMs)
      : undefined
  try {
    return await f(url, signal ? { ...init, signal } : init)
  } catch (cause) {
    const name = (cause as { name?: unknown } | null)?.name
    const reason = name === "TimeoutError" ? "timeout" : name === "AbortError" ? "aborted" : "network"
    throw new OAuthTokenError(
      "TransportError",
      `Transport error (${reason}) on ${describe(init.method, url)}`,
    )
  }
}

/** The body parsed as JSON, or an `InvalidResponse` naming the status and content type (never the body). */
export const readJson = async (res: Response, method: string, url: string): Promise<unknown> => {
  const contentType = res.headers.get("content-type") ?? "no content type"
  let text: string
  try {
    text = await res.text()
  } catch {
    throw new OAuthTokenError("TransportError", `Transport error (network) reading ${describe(method, url)}`)
  }
  try {
    // Parsed whatever the content type says: some servers label JSON text/plain.
    return JSON.parse(text) as unknown
  } catch {
    throw new OAuthTokenError(
      "InvalidResponse",
      `Invalid response (HTTP ${res.status}, ${contentType}) from ${describe(method, url)}: not JSON`,
      { status: res.status },
    )
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const stringField = (o: Record<string, unknown>, key: string): string | undefined => {
  const v = o[key]
  return typeof v === "string" ? v : undefined
}
