import type { ServerResponse } from "node:http"
import { sendTokenJson } from "../http/Reply.js"

/** An error as oauthlib (behind django-oauth-toolkit) reports it. */
export interface DotError {
  readonly error: string
  /** oauthlib only describes some errors; invalid_client, invalid_scope and others come bare. */
  readonly description?: string
}

/**
 * Sends an oauthlib error: 401 with `WWW-Authenticate: Bearer error="invalid_client"` for a bad
 * client, 400 for everything else.
 */
export const sendDotError = (res: ServerResponse, { error, description }: DotError): void => {
  const body = description === undefined ? { error } : { error, error_description: description }
  if (error === "invalid_client")
    sendTokenJson(res, 401, body, { "www-authenticate": 'Bearer error="invalid_client"' })
  else sendTokenJson(res, 400, body)
}
