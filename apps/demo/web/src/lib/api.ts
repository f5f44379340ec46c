/**
 * The demo server's JSON API as the page uses it (see apps/demo/README.md). Every answer that is
 * not 2xx carries `{ message }`, which becomes an `ApiError` with that message: the page shows the
 * server's words, never a status code alone.
 */

/** A token as the server shows it: the access token masked (`ab12…`), plus its history. */
export interface TokenView {
  readonly accessToken: string
  readonly tokenType: string
  readonly expiresAt: string | null
  readonly scopes: ReadonlyArray<string>
  readonly obtainedAt: string
  readonly refreshedAt: string | null
  readonly refreshCount: number
}

/** One call to a provider's API, made by the server with the stored token. */
export interface ApiCall {
  readonly provider: "cryptohopper" | "cryptofuse"
  readonly path: string
  readonly status: number
  readonly ok: boolean
  readonly data: unknown
  readonly calledAt: string
  readonly tokenRefreshed: boolean
}

export type ProviderMode = "sandbox" | "real"

/** `GET /api/status`: both connections, read without touching the network. */
export interface DemoStatus {
  readonly modes: { readonly cryptohopper: ProviderMode; readonly cryptofuse: ProviderMode }
  readonly sandboxUrl: string | null
  readonly cryptohopper: {
    readonly connected: boolean
    readonly token: TokenView | null
    readonly canRevoke: boolean
  }
  readonly cryptofuse: { readonly token: TokenView | null }
  readonly refreshSkewSeconds: { readonly cryptohopper: number; readonly cryptofuse: number }
}

/** A one-shot message the server left for this page (after the login came back). */
export interface Flash {
  readonly kind: "info" | "error"
  readonly text: string
}

/** What `POST /api/cryptohopper/logout` answers. */
export interface LogoutResult {
  readonly revoked: boolean
  readonly message: string
}

/** A failed request, with the server's message. */
export class ApiError extends Error {
  override readonly name = "ApiError"
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

const TIMEOUT_MS = 20_000

/** Sends a same-origin request (with the session cookie) and returns the parsed JSON. */
export const requestJson = async <T>(method: "GET" | "POST", url: string): Promise<T> => {
  let res: Response
  try {
    res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  } catch {
    throw new ApiError("The demo server did not answer. Is it still running?", 0)
  }
  const body = (await res.json().catch(() => undefined)) as { message?: unknown } | undefined
  if (!res.ok) {
    const message = body?.message
    throw new ApiError(
      typeof message === "string" && message !== "" ? message : `The server answered HTTP ${res.status}.`,
      res.status,
    )
  }
  return body as T
}

export const api = {
  status: () => requestJson<DemoStatus>("GET", "/api/status"),
  takeFlash: () => requestJson<{ flash: Flash | null }>("GET", "/api/flash"),
  hopperCall: (path: string) =>
    requestJson<ApiCall>("GET", `/api/cryptohopper/call?path=${encodeURIComponent(path)}`),
  fuseToken: (renew: boolean) =>
    requestJson<TokenView>("POST", renew ? "/api/cryptofuse/token/renew" : "/api/cryptofuse/token"),
  fuseCall: (route: "payments" | "rates") => requestJson<ApiCall>("GET", `/api/cryptofuse/${route}`),
}

/** A message for any error a request can end with. */
export const messageOf = (err: unknown): string =>
  err instanceof Error ? err.message : "Something went wrong."
