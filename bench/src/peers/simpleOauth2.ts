/** simple-oauth2, used as its README shows for the client credentials grant. */
import { Agent as HttpAgent } from "node:http"
import { ClientCredentials } from "simple-oauth2"
import { CLIENT_ID, CLIENT_SECRET } from "../stubServer.ts"
import { accessTokenOf, type RequestToken, type Target } from "./Target.ts"

/**
 * simple-oauth2: `new ClientCredentials(config).getToken()`. Its HTTP client (@hapi/wreck) makes a
 * fresh non-keep-alive agent by default; we hand it a keep-alive agent through its documented
 * `http` option so that every library is measured on a reused connection.
 */
export const simpleOauth2 = (t: Target): RequestToken => {
  const client = new ClientCredentials({
    client: { id: CLIENT_ID, secret: CLIENT_SECRET },
    auth: { tokenHost: t.url, tokenPath: "/token" },
    http: { agent: new HttpAgent({ keepAlive: true }) } as never,
  })
  return async () => {
    const token = await client.getToken({})
    return accessTokenOf(token.token)
  }
}
