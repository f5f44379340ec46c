import { useContext, useSyncExternalStore } from "react"
import type { OAuthTokenState } from "./TokenSnapshot.js"
import { ControllerContext } from "./internal/context.js"

/**
 * The token of the nearest `OAuthProvider`: status, token, expiry, scopes, error and the
 * actions. The same object comes back until the state changes; on the server it is `idle`.
 *
 * @example
 * ```tsx
 * function Account() {
 *   const { status, scopes, login, logout } = useOAuthToken()
 *   if (status !== "authenticated") return <button onClick={login}>Connect</button>
 *   return <p>Scopes: {scopes.join(", ")} <button onClick={logout}>Disconnect</button></p>
 * }
 * ```
 */
export function useOAuthToken(): OAuthTokenState {
  const controller = useContext(ControllerContext)
  if (!controller) throw new Error("useOAuthToken() must be called below an <OAuthProvider>")
  return useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getServerSnapshot)
}
