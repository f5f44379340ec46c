/** Base64url without padding (RFC 4648 §5), the alphabet of PKCE verifiers and challenges. */
export const base64url = (bytes: Uint8Array): string => {
  let bin = ""
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/** An identifier that only has to be unique among this origin's tabs (not a secret). */
export const instanceId = (): string => Math.random().toString(36).slice(2) + Date.now().toString(36)
