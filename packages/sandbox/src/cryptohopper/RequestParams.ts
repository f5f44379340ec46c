import type { IncomingMessage, ServerResponse } from "node:http"
import { mediaType, readBody } from "../http/Body.js"
import { Params } from "../http/Params.js"
import { sendOAuthError } from "./TokenErrors.js"

/**
 * Reads the parameters of a POST to Cryptohopper's token or revoke endpoint. Its docs ask for a
 * JSON body; the server behind them also takes a form. Answers the error itself and returns
 * undefined when the body is unusable.
 */
export const readRequestParams = async (
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Params | undefined> => {
  const body = await readBody(req)
  if (!body.ok) {
    if (body.reason === "too-large")
      sendOAuthError(res, { error: "invalid_request", description: "The request body is too large." })
    return undefined
  }
  const type = mediaType(req)
  let params: Params | string
  if (type === "application/json") params = Params.fromJson(body.bytes)
  else if (type === "application/x-www-form-urlencoded") params = Params.fromForm(body.bytes)
  else if (type === "" && body.bytes.length === 0) params = Params.empty()
  else params = "The content type must be application/json or application/x-www-form-urlencoded."
  if (typeof params === "string") {
    sendOAuthError(res, { error: "invalid_request", description: params })
    return undefined
  }
  const duplicate = params.firstDuplicate()
  if (duplicate !== undefined) {
    sendOAuthError(res, {
      error: "invalid_request",
      description: `The parameter ${duplicate} was sent more than once.`,
    })
    return undefined
  }
  return params
}
