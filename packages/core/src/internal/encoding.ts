/** Encodings shared by the flows; browser-safe (no node:buffer, no node:crypto). */

const unreserved = /[A-Za-z0-9\-._~]/
const allUnreserved = /^[A-Za-z0-9\-._~]*$/

/**
 * `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B) that leaves
 * RFC 3986 unreserved characters literal: some servers do not url-decode Basic credentials,
 * so encoding `-`, `.` or `_` would break them.
 */
export const formUrlEncode = (value: string): string => {
  // Parameter names and most values (grant types, ids) need no encoding at all.
  if (allUnreserved.test(value)) return value
  let out = ""
  for (const ch of value) {
    if (ch === " ") out += "+"
    else if (unreserved.test(ch)) out += ch
    else {
      for (const byte of new TextEncoder().encode(ch))
        out += "%" + byte.toString(16).toUpperCase().padStart(2, "0")
    }
  }
  return out
}

export const formBody = (params: ReadonlyArray<readonly [string, string]>): string =>
  params.map(([k, v]) => `${formUrlEncode(k)}=${formUrlEncode(v)}`).join("&")

export const base64 = (bytes: Uint8Array): string => {
  let bin = ""
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

/**
 * RFC 6749 §2.3.1: `Basic base64(formUrlEncode(id):formUrlEncode(secret))`; with `raw`, the id and
 * secret as they are (RFC 7617), for servers that do not decode them.
 */
export const basicAuthorization = (
  clientId: string,
  clientSecret: string,
  encoding: "form-urlencoded" | "raw" = "form-urlencoded",
): string =>
  "Basic " +
  base64(
    new TextEncoder().encode(
      encoding === "raw"
        ? `${clientId}:${clientSecret}`
        : `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`,
    ),
  )
