/**
 * Decodes `application/x-www-form-urlencoded` text like Python's `urllib.parse.unquote_plus`:
 * `+` is a space, valid `%XX` escapes are bytes (read as UTF-8), and malformed escapes stay as
 * they are instead of throwing. django-oauth-toolkit decodes Basic credentials this way.
 */
export const unquotePlus = (text: string): string => {
  const bytes: Array<number> = []
  const plain = text.replace(/\+/g, " ")
  for (let i = 0; i < plain.length; i++) {
    const hex = plain.slice(i + 1, i + 3)
    if (plain[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else {
      const codePoint = plain.codePointAt(i)!
      const char = String.fromCodePoint(codePoint)
      bytes.push(...Buffer.from(char, "utf8"))
      i += char.length - 1
    }
  }
  return Buffer.from(bytes).toString("utf8")
}

/** Credentials taken from an `Authorization: Basic` header. */
export type BasicCredentials =
  | { readonly kind: "absent" }
  | { readonly kind: "malformed" }
  | { readonly kind: "present"; readonly clientId: string; readonly clientSecret: string }

/**
 * Parses `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
 * Anything that is not valid base64 with a colon is reported as malformed, never thrown.
 */
export const parseBasic = (header: string | undefined): BasicCredentials => {
  if (header === undefined) return { kind: "absent" }
  const match = /^basic\s+(\S*)\s*$/i.exec(header)
  if (!match) return { kind: "absent" }
  const encoded = match[1]!
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) return { kind: "malformed" }
  const decoded = Buffer.from(encoded, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return { kind: "malformed" }
  return {
    kind: "present",
    clientId: unquotePlus(decoded.slice(0, colon)),
    clientSecret: unquotePlus(decoded.slice(colon + 1)),
  }
}
