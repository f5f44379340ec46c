/**
 * The lifetime a token endpoint states (`expires_in`, seconds), read the same way everywhere
 * (core's TokenSet `expiresAt` and refresh point, react-hooks' browser tokens):
 * - above `MAX_LIFETIME_SECONDS` (one year), e.g. `1e13` or `2^63-1` that some APIs send for
 *   "never", or a number JSON reads as Infinity: clamped to one year, so `expiresAt` stays a valid
 *   Date and the token is cached instead of requested on every call;
 * - zero, negative or -Infinity: the lifetime is unknown, as when the server leaves `expires_in`
 *   out (the token is used until a resource server refuses it), instead of "expired on arrival"
 *   (a token request on every call) or an error that would throw away a rotated refresh token.
 */
export const MAX_LIFETIME_SECONDS = 365 * 24 * 60 * 60

/** `expires_in` as a usable number of seconds, or undefined when the lifetime is unknown. */
export const lifetimeSeconds = (stated: unknown): number | undefined => {
  // Cryptohopper's docs show `expires_in` as a numeric string.
  const seconds =
    typeof stated === "number"
      ? stated
      : typeof stated === "string" && stated.trim() !== ""
        ? Number(stated)
        : Number.NaN
  if (Number.isNaN(seconds) || seconds <= 0) return undefined
  return Math.min(seconds, MAX_LIFETIME_SECONDS)
}
