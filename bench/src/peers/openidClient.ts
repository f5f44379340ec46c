/** openid-client v6, used as its README shows for the client credentials grant. */
import * as openid from "openid-client"
import { CLIENT_ID, CLIENT_SECRET } from "../stubServer.ts"
import type { RequestToken, Target } from "./Target.ts"

/** openid-client v6: a `Configuration` once, then `clientCredentialsGrant(config)`. */
export const openidClient = (t: Target): RequestToken => {
  const config = new openid.Configuration(
    { issuer: t.url, token_endpoint: t.tokenEndpoint },
    CLIENT_ID,
    CLIENT_SECRET,
  )
  openid.allowInsecureRequests(config)
  return async () => {
    const tokens = await openid.clientCredentialsGrant(config)
    return tokens.access_token
  }
}
