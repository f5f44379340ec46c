import { randomBytes } from "node:crypto"

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** A random lowercase hex string of `bytes * 2` characters (Cryptohopper-style tokens and codes). */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex")

/**
 * A random alphanumeric string of `length` characters, as django-oauth-toolkit's default
 * generator produces (30 characters). Rejection sampling keeps every character equally likely.
 */
export const randomAlphanumeric = (length: number): string => {
  let out = ""
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62]
    }
  }
  return out
}
