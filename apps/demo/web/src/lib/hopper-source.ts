/**
 * The Cryptohopper token source of the page: `@grantflow/react-hooks`' `backendSource` on the
 * demo's endpoints. The browser only ever receives a masked token from them; the real one, the
 * refresh token and the client secret stay on the server.
 */
import { backendSource, type TokenSource } from "@grantflow/react-hooks"
import type { LogoutResult } from "./api"

export const HOPPER_ENDPOINTS = {
  tokenUrl: "/api/cryptohopper/token",
  loginUrl: "/auth/cryptohopper",
  logoutUrl: "/api/cryptohopper/logout",
} as const

export interface HopperSourceOptions {
  /** The scopes the person ticked, read when Connect is clicked. */
  readonly scopes: () => ReadonlyArray<string>
  /** Receives the server's answer to Disconnect (revoked or not, in its words). */
  readonly onLogout: (result: LogoutResult) => void
}

/**
 * `login()` navigates to `/auth/cryptohopper?scope=...`; the server answers with the redirect to
 * the consent page and, afterwards, brings the browser back to `/`. `logout()`'s answer is read
 * (from a copy of the response) so the page can say whether the provider revoked the tokens.
 */
export const hopperSource = (options: HopperSourceOptions): TokenSource =>
  backendSource({
    ...HOPPER_ENDPOINTS,
    navigate: (url) => {
      const query = new URLSearchParams(options.scopes().map((s) => ["scope", s]))
      window.location.assign(`${url}?${query.toString()}`)
    },
    fetch: async (input, init) => {
      const res = await fetch(input, init)
      if (init?.method === "POST" && String(input) === HOPPER_ENDPOINTS.logoutUrl && res.ok) {
        res
          .clone()
          .json()
          .then(
            (body: LogoutResult) => options.onLogout(body),
            () => undefined,
          )
      }
      return res
    },
  })
