/**
 * PKCE (RFC 7636) and the random values of an authorization request, on WebCrypto: the same code
 * in Node, Deno, Bun, workers and browsers.
 */

/** Base64url without padding (RFC 4648 §5), the alphabet of PKCE verifiers and challenges. */
export const base64url = (bytes: Uint8Array): string => {
  let bin = ""
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/** `bytes` random bytes as base64url: 32 bytes give a 43-character verifier (RFC 7636 §4.1) or a 256-bit state. */
export const randomToken = (bytes = 32): string =>
  base64url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))

/** RFC 7636 §4.2 S256: `BASE64URL(SHA256(ASCII(code_verifier)))`. */
export const challengeS256 = async (verifier: string): Promise<string> =>
  base64url(
    new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  )
