import { TokenError } from "../TokenError.js"
import { base64url } from "./random.js"

const subtle = (): SubtleCrypto => {
  const c = globalThis.crypto
  if (!c?.subtle || typeof c.getRandomValues !== "function") {
    throw new TokenError(
      "ConfigError",
      "PKCE needs WebCrypto, which browsers only offer on https:// or localhost",
    )
  }
  return c.subtle
}

/** A random base64url string of `bytes` random bytes: 32 bytes give a 43-character PKCE verifier (RFC 7636 §4.1). */
export const randomUrlSafe = (bytes: number): string => {
  subtle()
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))
}

/** RFC 7636 §4.2 S256: `BASE64URL(SHA256(ASCII(code_verifier)))`. */
export const deriveCodeChallenge = async (verifier: string): Promise<string> =>
  base64url(new Uint8Array(await subtle().digest("SHA-256", new TextEncoder().encode(verifier))))
