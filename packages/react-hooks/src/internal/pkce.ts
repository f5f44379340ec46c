import { challengeS256, randomToken } from "@grantflow/kernel/Pkce"
import { OAuthTokenError } from "../OAuthTokenError.js"

/** The kernel's PKCE needs WebCrypto; say why when the page has none, instead of a TypeError. */
const needWebCrypto = (): void => {
  const c = globalThis.crypto
  if (!c?.subtle || typeof c.getRandomValues !== "function") {
    throw new OAuthTokenError(
      "ConfigError",
      "PKCE needs WebCrypto, which browsers only offer on https:// or localhost",
    )
  }
}

/** A random base64url string of `bytes` random bytes: 32 bytes give a 43-character PKCE verifier (RFC 7636 §4.1). */
export const randomUrlSafe = (bytes: number): string => {
  needWebCrypto()
  return randomToken(bytes)
}

/** RFC 7636 §4.2 S256 (`@grantflow/kernel`). */
export const deriveCodeChallenge = (verifier: string): Promise<string> => {
  needWebCrypto()
  return challengeS256(verifier)
}
