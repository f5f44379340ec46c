import * as CryptofuseApi from "./cryptofuse/Api.js"
import { introspectToken as cryptofuseIntrospect } from "./cryptofuse/IntrospectToken.js"
import { revokeToken as cryptofuseRevoke } from "./cryptofuse/RevokeToken.js"
import { token as cryptofuseToken } from "./cryptofuse/Token.js"
import * as CryptohopperApi from "./cryptohopper/Api.js"
import { authorize, authorizeDecision } from "./cryptohopper/Authorize.js"
import { revoke as cryptohopperRevoke } from "./cryptohopper/Revoke.js"
import { token as cryptohopperToken } from "./cryptohopper/Token.js"
import type { FaultTarget } from "./Faults.js"
import { redirect } from "./http/Reply.js"
import { indexPage } from "./IndexPage.js"
import type { ProviderName } from "./Provider.js"
import type { Handler } from "./SandboxContext.js"

/** Where a request path leads. */
export interface Route {
  readonly handler: Handler
  /** Path relative to the provider prefix, as the emulated host would see it. */
  readonly path: string
  readonly target?: FaultTarget
  /** Set on token endpoints, so their POSTs are counted. */
  readonly tokenEndpointOf?: ProviderName
}

const HOPPER = "/cryptohopper"
const FUSE = "/cryptofuse"

/** Finds the handler for a request path; undefined means 404. */
export const route = (pathname: string): Route | undefined => {
  if (pathname === "/") return { handler: indexPage, path: "/" }
  if (pathname.startsWith(`${HOPPER}/`)) {
    const path = pathname.slice(HOPPER.length)
    switch (path) {
      case "/oauth2/authorize":
        return { handler: authorize, path, target: "cryptohopper.authorize" }
      case "/oauth2/authorize/decision":
        return { handler: authorizeDecision, path, target: "cryptohopper.authorize" }
      case "/oauth2/token":
        return {
          handler: cryptohopperToken,
          path,
          target: "cryptohopper.token",
          tokenEndpointOf: "cryptohopper",
        }
      case "/oauth2/revoke":
        return { handler: cryptohopperRevoke, path, target: "cryptohopper.revoke" }
    }
    if (path === "/v1" || path.startsWith("/v1/"))
      return { handler: CryptohopperApi.api, path, target: "cryptohopper.api" }
    return undefined
  }
  if (pathname.startsWith(`${FUSE}/`)) {
    const path = pathname.slice(FUSE.length)
    switch (path) {
      case "/o/token/":
        return { handler: cryptofuseToken, path, target: "cryptofuse.token", tokenEndpointOf: "cryptofuse" }
      case "/o/revoke_token/":
        return { handler: cryptofuseRevoke, path, target: "cryptofuse.revoke" }
      case "/o/introspect/":
        return { handler: cryptofuseIntrospect, path, target: "cryptofuse.introspect" }
      case "/o/token":
      case "/o/revoke_token":
      case "/o/introspect":
        // Django's APPEND_SLASH: a redirect, after which a POST arrives as a GET and gets 405.
        return { handler: ({ res, url }) => redirect(res, `${url.pathname}/${url.search}`, 301), path }
    }
    return { handler: CryptofuseApi.api, path, target: "cryptofuse.api" }
  }
  return undefined
}
