import { useState, type ReactNode } from "react"
import type { TokenSource } from "./TokenSource.js"
import {
  createTokenController,
  type TokenController,
  type TokenControllerOptions,
} from "./TokenController.js"
import { ControllerContext } from "./internal/context.js"

/** Either a source (the provider makes its controller) or a controller you made with `createTokenController` (the `store` prop). */
export type OAuthProviderProps = { readonly children?: ReactNode } & (
  | { readonly source: TokenSource; readonly options?: TokenControllerOptions; readonly store?: undefined }
  | { readonly store: TokenController; readonly source?: undefined; readonly options?: undefined }
)

/**
 * Makes one token available to `useOAuthToken()` below it. The controller is created once per mount
 * (a later `source` prop is ignored: remount with a `key` to switch sources) and does nothing
 * until a component subscribes, so it renders on the server and under StrictMode.
 *
 * @example
 * ```tsx
 * <OAuthProvider source={backendSource({ tokenUrl: "/auth/token", loginUrl: "/auth/login", logoutUrl: "/auth/logout" })}>
 *   <App />
 * </OAuthProvider>
 * ```
 */
export function OAuthProvider(props: OAuthProviderProps): ReactNode {
  const [controller] = useState(() => props.store ?? createTokenController(props.source, props.options))
  return <ControllerContext value={controller}>{props.children}</ControllerContext>
}
