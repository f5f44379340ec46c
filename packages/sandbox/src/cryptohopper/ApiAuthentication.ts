import type { IncomingMessage, ServerResponse } from "node:http"
import { sendJson } from "../http/Reply.js"
import type { SandboxContext } from "../SandboxContext.js"
import type { IssuedToken } from "../TokenRegistry.js"

/** Sends Cryptohopper's API error shape. */
export const sendApiError = (res: ServerResponse, status: number, code: number, message: string): void =>
  sendJson(res, status, { status, code, error: 1, message })

/** Codes in the `code` field of API errors, so tests can tell the reasons apart. */
export const ApiErrorCodes = {
  missingToken: 1,
  invalidToken: 2,
  expiredToken: 3,
  appKeyMismatch: 4,
  insufficientScope: 5,
  notFound: 6,
  badRequest: 7,
} as const

/**
 * Finds the access token of a Cryptohopper API request, or answers the error itself. The token
 * travels in the `access-token` header; Cryptohopper's AWS API Gateway answers a bare
 * `Authorization: Bearer` with 405 "Missing Authentication Token".
 */
export const authenticateApiRequest = (
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
): IssuedToken | undefined => {
  const header = req.headers["access-token"]
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value === "") {
    if (req.headers.authorization !== undefined)
      sendJson(res, 405, { message: "Missing Authentication Token" })
    else sendApiError(res, 401, ApiErrorCodes.missingToken, "The access-token header is missing.")
    return undefined
  }
  const check = ctx.tokens.check(value, "access", "cryptohopper")
  if (check.status === "unknown" || check.status === "revoked") {
    sendApiError(res, 401, ApiErrorCodes.invalidToken, "Invalid access token.")
    return undefined
  }
  if (check.status === "expired") {
    sendApiError(res, 401, ApiErrorCodes.expiredToken, "The access token has expired.")
    return undefined
  }
  const appKey = req.headers["x-api-app-key"]
  if (appKey !== undefined && appKey !== check.token.clientId) {
    sendApiError(res, 401, ApiErrorCodes.appKeyMismatch, "The app key does not belong to this access token.")
    return undefined
  }
  return check.token
}

/** Whether the token holds one of `scopes`; answers 403 when not. */
export const requireScope = (
  res: ServerResponse,
  token: IssuedToken,
  scopes: ReadonlyArray<string>,
): boolean => {
  if (scopes.some((s) => token.scopes.includes(s))) return true
  sendApiError(
    res,
    403,
    ApiErrorCodes.insufficientScope,
    `This endpoint requires the scope ${scopes.join(" or ")}.`,
  )
  return false
}
