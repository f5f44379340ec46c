import type { ServerResponse } from "node:http"
import { sendTokenJson } from "../http/Reply.js"

/** An RFC 6749 §5.2 error as Cryptohopper's token endpoint reports it. */
export interface OAuthError {
  readonly error: string
  readonly description: string
}

/** Sends an OAuth error. Cryptohopper answers every one, invalid_client included, with 400. */
export const sendOAuthError = (res: ServerResponse, { error, description }: OAuthError, status = 400): void =>
  sendTokenJson(res, status, { error, error_description: description })
