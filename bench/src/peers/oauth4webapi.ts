/** oauth4webapi, used as its README and examples/client_credentials.ts show. */
import * as oauth from "oauth4webapi"
import { CLIENT_ID, CLIENT_SECRET } from "../stubServer.ts"
import type { RequestToken, Target } from "./Target.ts"

/** oauth4webapi: `clientCredentialsGrantRequest` then `processClientCredentialsResponse`. */
export const oauth4webapi = (t: Target): RequestToken => {
  const as: oauth.AuthorizationServer = { issuer: t.url, token_endpoint: t.tokenEndpoint }
  const client: oauth.Client = { client_id: CLIENT_ID }
  const clientAuth = oauth.ClientSecretPost(CLIENT_SECRET)
  // The stub speaks plain http on 127.0.0.1; oauth4webapi refuses that unless told.
  const options = { [oauth.allowInsecureRequests]: true }
  return async () => {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      clientAuth,
      new URLSearchParams(),
      options,
    )
    const result = await oauth.processClientCredentialsResponse(as, client, response)
    return result.access_token
  }
}
