import { mediaType, readBody } from "../http/Body.js"
import { sendJson } from "../http/Reply.js"
import { randomHex } from "../Random.js"
import type { Exchange } from "../SandboxContext.js"
import type { IssuedToken } from "../TokenRegistry.js"
import { ApiErrorCodes, authenticateApiRequest, requireScope, sendApiError } from "./ApiAuthentication.js"
import { HOPPERS, SANDBOX_USER, TICKERS } from "./ApiFixtures.js"

type ApiHandler = (exchange: Exchange, token: IssuedToken, match: RegExpExecArray) => Promise<void> | void

interface ApiRoute {
  readonly method: string
  readonly pattern: RegExp
  readonly handle: ApiHandler
}

const userGet: ApiHandler = ({ res }, token) => {
  if (requireScope(res, token, ["user", "read"])) sendJson(res, 200, { data: { user: SANDBOX_USER } })
}

const hopperList: ApiHandler = ({ res }, token) => {
  if (requireScope(res, token, ["read"])) sendJson(res, 200, { data: HOPPERS })
}

/**
 * Cryptohopper reports some errors inside a 200 body; an unknown exchange or pair does so here,
 * for clients that must look at `error` before trusting `data`.
 */
const ticker: ApiHandler = ({ res, url }) => {
  const exchange = url.searchParams.get("exchange") ?? ""
  const pair = url.searchParams.get("pair") ?? ""
  const last = TICKERS[exchange]?.[pair]
  if (last === undefined) {
    sendApiError(res, 200, ApiErrorCodes.badRequest, "Unknown exchange or pair.")
    return
  }
  sendJson(res, 200, {
    data: {
      exchange,
      pair,
      last,
      bid: +(last * 0.9995).toFixed(8),
      ask: +(last * 1.0005).toFixed(8),
      high: +(last * 1.02).toFixed(8),
      low: +(last * 0.98).toFixed(8),
      volume: 1234.5678,
    },
  })
}

const placeOrder: ApiHandler = async ({ req, res }, token, match) => {
  if (!requireScope(res, token, ["trade"])) return
  const hopperId = match[1]!
  const body = await readBody(req)
  if (!body.ok) {
    if (body.reason === "too-large")
      sendApiError(res, 400, ApiErrorCodes.badRequest, "The request body is too large.")
    return
  }
  if (!HOPPERS.some((h) => h.id === hopperId))
    return sendApiError(res, 404, ApiErrorCodes.notFound, "Hopper not found.")
  if (mediaType(req) !== "application/json")
    return sendApiError(res, 400, ApiErrorCodes.badRequest, "The body must be JSON.")
  let order: unknown
  try {
    order = JSON.parse(body.bytes.toString("utf8"))
  } catch {
    return sendApiError(res, 400, ApiErrorCodes.badRequest, "The body is not valid JSON.")
  }
  if (typeof order !== "object" || order === null || Array.isArray(order)) {
    return sendApiError(res, 400, ApiErrorCodes.badRequest, "The body must be a JSON object.")
  }
  sendJson(res, 200, { data: { ...order, order_id: randomHex(8), hopper_id: hopperId, status: "pending" } })
}

const ROUTES: ReadonlyArray<ApiRoute> = [
  { method: "GET", pattern: /^\/v1\/user\/get$/, handle: userGet },
  { method: "GET", pattern: /^\/v1\/hopper$/, handle: hopperList },
  { method: "GET", pattern: /^\/v1\/exchange\/ticker$/, handle: ticker },
  { method: "POST", pattern: /^\/v1\/hopper\/([^/]+)\/order$/, handle: placeOrder },
]

/** The Cryptohopper API under `/v1/`. */
export const api = async (exchange: Exchange): Promise<void> => {
  const { req, res, path, ctx } = exchange
  for (const route of ROUTES) {
    const match = route.pattern.exec(path)
    if (!match || route.method !== req.method) continue
    const token = authenticateApiRequest(ctx, req, res)
    if (token) await route.handle(exchange, token, match)
    return
  }
  // AWS API Gateway answers any unmapped resource or method this way, whatever the credentials.
  sendJson(res, 403, { message: "Missing Authentication Token" })
}
