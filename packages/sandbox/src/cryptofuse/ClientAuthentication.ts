import type { IncomingMessage } from "node:http"
import type { SandboxClient } from "../Clients.js"
import { parseBasic } from "../http/FormEncoding.js"
import type { Params } from "../http/Params.js"
import type { SandboxContext } from "../SandboxContext.js"
import type { DotError } from "./OAuthErrors.js"

/** The authenticated client, or the error to answer with. */
export type ClientAuthResult =
  { readonly ok: true; readonly client: SandboxClient } | ({ readonly ok: false } & DotError)

/**
 * Authenticates a Cryptofuse client with `Authorization: Basic` (whose parts are form-urldecoded,
 * as django-oauth-toolkit does with `unquote_plus`) or `client_id`/`client_secret` in the body.
 * RFC 6749 §2.3 allows one method per request, so both at once is refused.
 */
export const authenticateClient = (
  ctx: SandboxContext,
  req: IncomingMessage,
  params: Params,
): ClientAuthResult => {
  const basic = parseBasic(req.headers.authorization)
  const inBody = params.has("client_id") || params.has("client_secret")
  if (basic.kind !== "absent" && inBody) {
    return {
      ok: false,
      error: "invalid_request",
      description: "Client credentials must be sent in the Authorization header or in the body, not both.",
    }
  }
  let clientId: string | undefined
  let clientSecret: string | undefined
  if (basic.kind === "present") {
    clientId = basic.clientId
    clientSecret = basic.clientSecret
  } else if (basic.kind === "absent") {
    clientId = params.get("client_id")
    clientSecret = params.get("client_secret")
  }
  const client =
    clientId !== undefined && clientSecret !== undefined
      ? ctx.clients.authenticate("cryptofuse", clientId, clientSecret)
      : undefined
  return client ? { ok: true, client } : { ok: false, error: "invalid_client" }
}
