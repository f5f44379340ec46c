import type { ServerResponse } from "node:http"
import { mediaType, readBody } from "../http/Body.js"
import { Params } from "../http/Params.js"
import { sendEmpty } from "../http/Reply.js"
import type { Exchange } from "../SandboxContext.js"
import { sendDotError } from "./OAuthErrors.js"

/**
 * Reads a POST to one of django-oauth-toolkit's endpoints as oauthlib sees it: only a form body
 * is parsed (a JSON body reads as no parameters at all), and query parameters are refused.
 * A body without `Content-Length` (sent chunked) reads as empty, as under any WSGI server: Django
 * reads `CONTENT_LENGTH` bytes of `wsgi.input`, and that is 0 when the header is absent.
 * Answers the error itself and returns undefined when the request cannot go on.
 */
export const readFormRequest = async ({ req, res, url }: Exchange): Promise<Params | undefined> => {
  if (req.method !== "POST") {
    // Django's HttpResponseNotAllowed: 405, no body.
    sendEmpty(res, 405, { allow: "POST" })
    return undefined
  }
  const body = await readBody(req)
  if (!body.ok) {
    if (body.reason === "too-large")
      sendDotError(res, { error: "invalid_request", description: "Request body too large." })
    return undefined
  }
  if (url.search !== "") {
    sendDotError(res, { error: "invalid_request", description: "URL query parameters are not allowed" })
    return undefined
  }
  const hasLength = req.headers["content-length"] !== undefined
  return hasLength && mediaType(req) === "application/x-www-form-urlencoded" ? Params.fromForm(body.bytes) : Params.empty()
}

/** Refuses a parameter sent more than once, as oauthlib does. */
export const refuseDuplicates = (res: ServerResponse, params: Params): boolean => {
  const duplicate = params.firstDuplicate()
  if (duplicate === undefined) return false
  sendDotError(res, { error: "invalid_request", description: `Duplicate ${duplicate} parameter.` })
  return true
}
