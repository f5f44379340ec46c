"use client"
/**
 * `@grantflow/react-hooks`: an access token in React components, from your backend (confidential
 * clients) or from PKCE in the browser (public clients), refreshed before expiry once across tabs.
 * It imports nothing from `@grantflow/core`, so effect and ky stay out of browser bundles; the
 * protocol (PKCE, the callback checks, token answers, the refresh point) is `@grantflow/kernel`'s,
 * the same code core's flows run on. `"use client"`: hooks and context only work in client components, so
 * Next.js App Router server trees must treat this entry (and what it imports) as client code.
 */
export { OAuthProvider, type OAuthProviderProps } from "./OAuthProvider.js"
export { useOAuthToken } from "./useOAuthToken.js"
export {
  createTokenController,
  type TokenController,
  type TokenControllerOptions,
} from "./TokenController.js"
export type { OAuthTokenState, TokenActions, TokenStatus } from "./TokenSnapshot.js"
export { backendSource, type BackendSourceOptions } from "./BackendSource.js"
export { pkceSource, type PkceSourceOptions } from "./PkceSource.js"
export type { SourceToken, TokenSource } from "./TokenSource.js"
export { OAuthTokenError, type OAuthTokenErrorDetails, type OAuthTokenErrorTag } from "./OAuthTokenError.js"
