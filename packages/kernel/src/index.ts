/**
 * `@grantflow/kernel`: the OAuth 2.0 protocol steps every grantflow package shares, as plain
 * functions without dependencies (no Effect): PKCE, the authorization request URL, the callback
 * checks, the token answer's tolerant reading and scope splitting, the refresh point. Core's flows
 * and `@grantflow/react-hooks` both run on it, so they cannot drift apart.
 */
export { base64url, challengeS256, randomToken } from "./Pkce.js"
export { RESERVED_PARAMS, authorizationUrl, type AuthorizationRequestParts } from "./AuthorizationRequest.js"
export {
  callbackError,
  checkCallback,
  sameState,
  type CallbackError,
  type CallbackErrorDialect,
  type CallbackExpectation,
  type CallbackOutcome,
  type StateProblem,
} from "./Callback.js"
export {
  decodeErrorWire,
  decodeTokenWire,
  splitScopes,
  tokenTypeOf,
  type ErrorWire,
  type TokenWire,
} from "./TokenAnswer.js"
export {
  DEFAULT_JITTER_FRACTION,
  DEFAULT_MAX_SKEW_FRACTION,
  DEFAULT_SKEW_MS,
  refreshAt,
  type RefreshTimingOptions,
} from "./RefreshTiming.js"
export { MAX_LIFETIME_SECONDS, lifetimeSeconds } from "./Lifetime.js"
