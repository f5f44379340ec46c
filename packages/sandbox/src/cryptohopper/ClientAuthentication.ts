import type { IncomingMessage } from "node:http"
import type { SandboxClient } from "../Clients.js"
import { parseBasic } from "../http/FormEncoding.js"
import type { Params } from "../http/Params.js"
import type { SandboxContext } from "../SandboxContext.js"
import type { OAuthError } from "./TokenErrors.js"

/** The authenticated client, or the error to answer with. */
export type ClientAuthResult =
  { readonly ok: true; readonly client: SandboxClient } | ({ readonly ok: false } & OAuthError)

const invalidClient = (description: string): ClientAuthResult => ({
  ok: false,
  error: "invalid_client",
  description,
})

/**
 * Authenticates a Cryptohopper client from `client_id`/`client_secret` in the body (documented)
 * or HTTP Basic. When both are present they must agree.
 */
export const authenticateClient = (
  ctx: SandboxContext,
  req: IncomingMessage,
  params: Params,
): ClientAuthResult => {
  const basic = parseBasic(req.headers.authorization)
  if (basic.kind === "malformed") return invalidClient("The Authorization header is malformed.")
  const bodyId = params.get("client_id")
  const bodySecret = params.get("client_secret")
  if (basic.kind === "present") {
    if (
      (bodyId !== undefined && bodyId !== basic.clientId) ||
      (bodySecret !== undefined && bodySecret !== basic.clientSecret)
    ) {
      return {
        ok: false,
        error: "invalid_request",
        description: "Client credentials were sent twice and differ.",
      }
    }
  }
  const clientId = basic.kind === "present" ? basic.clientId : bodyId
  const clientSecret = basic.kind === "present" ? basic.clientSecret : bodySecret
  if (clientId === undefined)
    return invalidClient("Client credentials were not found in the headers or body.")
  if (clientSecret === undefined) return invalidClient("The client secret is missing.")
  const client = ctx.clients.authenticate("cryptohopper", clientId, clientSecret)
  return client ? { ok: true, client } : invalidClient("The client credentials are invalid.")
}
