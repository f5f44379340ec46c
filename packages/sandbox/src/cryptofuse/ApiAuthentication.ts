import type { IncomingMessage, ServerResponse } from "node:http"
import { sendJson } from "../http/Reply.js"
import type { SandboxContext } from "../SandboxContext.js"
import type { IssuedToken } from "../TokenRegistry.js"

/** Django REST framework's NotAuthenticated message; DRF uses it for invalid tokens as well. */
const NOT_AUTHENTICATED = "Authentication credentials were not provided."

/** Django REST framework's PermissionDenied message. */
export const PERMISSION_DENIED = "You do not have permission to perform this action."

const bearerToken = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const space = header.indexOf(" ")
  if (space < 0 || header.slice(0, space).toLowerCase() !== "bearer") return undefined
  const token = header.slice(space + 1).trim()
  return token === "" ? undefined : token
}

/**
 * Finds the access token of a Cryptofuse API request (`Authorization: Bearer`), or answers 401
 * itself. django-oauth-toolkit puts the reason into `WWW-Authenticate`; the body stays DRF's
 * generic message.
 */
export const authenticateApiRequest = (
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
): IssuedToken | undefined => {
  const value = bearerToken(req.headers.authorization)
  if (value === undefined) {
    sendJson(res, 401, { detail: NOT_AUTHENTICATED }, { "www-authenticate": 'Bearer realm="api"' })
    return undefined
  }
  const check = ctx.tokens.check(value, "access", "cryptofuse")
  if (check.status === "valid") return check.token
  const description =
    check.status === "expired" ? "The access token has expired." : "The access token is invalid."
  sendJson(
    res,
    401,
    { detail: NOT_AUTHENTICATED },
    {
      "www-authenticate": `Bearer realm="api", error="invalid_token", error_description="${description}"`,
    },
  )
  return undefined
}

/** Whether the token holds `scope`; answers DRF's 403 when not. */
export const requireScope = (res: ServerResponse, token: IssuedToken, scope: string): boolean => {
  if (token.scopes.includes(scope)) return true
  sendJson(res, 403, { detail: PERMISSION_DENIED })
  return false
}
