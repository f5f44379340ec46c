/**
 * One call to a provider's API made through `client.fetch`, as the pages and `/api/.../call`
 * show it: the provider's status and body, and whether grantflow renewed the token on the way.
 */
import { BadRequestException } from "@nestjs/common"

/** The JSON of `/api/.../call` and what the pages show of a call. */
export interface ApiCall {
  readonly provider: "cryptohopper" | "cryptofuse"
  readonly path: string
  /** The provider's HTTP status (Cryptohopper may also report an error inside a 200). */
  readonly status: number
  readonly ok: boolean
  /** The parsed JSON body, or the start of a body that is not JSON. */
  readonly data: unknown
  readonly calledAt: string
  /** True when the token was refreshed (or renewed) while making this call. */
  readonly tokenRefreshed: boolean
}

const MAX_BODY_BYTES = 256 * 1024
const TEXT_EXCERPT = 2_000

/** Reads a provider's answer: JSON when it parses, else a short text excerpt. Never throws on a bad body. */
export const readBody = async (res: Response): Promise<unknown> => {
  const declared = Number(res.headers.get("content-length") ?? "0")
  if (declared > MAX_BODY_BYTES) {
    await res.body?.cancel().catch(() => undefined)
    return `(a ${declared}-byte body, too large to show)`
  }
  const text = (await res.text()).slice(0, MAX_BODY_BYTES)
  if (text === "") return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text.slice(0, TEXT_EXCERPT)
  }
}

// A path under the provider's API base: letters, digits, `-`, `_`, `/`, and a simple query. No
// scheme, no `..`, no `//`: `client.fetch` would refuse other origins anyway, this keeps the
// demo's proxy from being pointed anywhere surprising under the API base either.
const API_PATH = /^\/[A-Za-z0-9_/-]*(?:\?[A-Za-z0-9_.~=&%/-]*)?$/

/** Checks a path a browser asked the demo to call; 400 when it is not a plain API path. */
export const checkApiPath = (path: unknown): string => {
  if (typeof path !== "string" || path.length > 200 || path.includes("//") || !API_PATH.test(path)) {
    throw new BadRequestException(
      "path must be an API path such as /hopper or /user/get (letters, digits, - _ / and a simple query)",
    )
  }
  return path
}
