/**
 * A token endpoint's answer (RFC 6749 §5.1, §5.2), read tolerantly where real servers are messy:
 * `expires_in` as a numeric string, `scope` as null, an array, or joined by spaces or commas.
 */

/** The fields of a successful answer that are read; any other field is the caller's. */
export interface TokenWire {
  readonly access_token: string
  readonly token_type?: string | null | undefined
  readonly expires_in?: number | null | undefined
  readonly refresh_token?: string | null | undefined
  readonly id_token?: string | null | undefined
  readonly scope?: string | ReadonlyArray<string> | null | undefined
}

/** RFC 6749 §5.2, and Cryptohopper's `{ error: 1, message }`. */
export interface ErrorWire {
  readonly error: string | number | true
  readonly error_description?: string | null | undefined
  readonly error_uri?: string | null | undefined
  readonly message?: string | null | undefined
}

const isText = (v: unknown): v is string | null | undefined =>
  v === undefined || v === null || typeof v === "string"

/** `expires_in`: absent, null, any number, or a string `Number()` reads as a finite number; `false` when none of these. */
const seconds = (v: unknown): number | null | undefined | false => {
  if (v === undefined || v === null || typeof v === "number") return v
  if (typeof v === "string") {
    const n = Number(v)
    return Number.isFinite(n) ? n : false
  }
  return false
}

const isScope = (v: unknown): v is string | ReadonlyArray<string> | null | undefined =>
  isText(v) || (Array.isArray(v) && v.every((s) => typeof s === "string"))

/**
 * The token fields of an answer's object, or `undefined` when one has a type an answer may not
 * have: `access_token` a non-empty string; `token_type`, `refresh_token`, `id_token` strings or
 * null; `expires_in` a number, null or a numeric string (read as its number); `scope` a string,
 * an array of strings or null.
 */
export const decodeTokenWire = (value: Readonly<Record<string, unknown>>): TokenWire | undefined => {
  const accessToken = value["access_token"]
  if (typeof accessToken !== "string" || accessToken === "") return undefined
  const tokenType = value["token_type"]
  const refreshToken = value["refresh_token"]
  const idToken = value["id_token"]
  const scope = value["scope"]
  const expiresIn = seconds(value["expires_in"])
  if (
    expiresIn === false ||
    !isText(tokenType) ||
    !isText(refreshToken) ||
    !isText(idToken) ||
    !isScope(scope)
  )
    return undefined
  return {
    access_token: accessToken,
    token_type: tokenType,
    expires_in: expiresIn,
    refresh_token: refreshToken,
    id_token: idToken,
    scope,
  }
}

/** The RFC 6749 §5.2 fields of an answer's object (`error` a non-empty string, a finite number or `true`), or `undefined`. */
export const decodeErrorWire = (value: Readonly<Record<string, unknown>>): ErrorWire | undefined => {
  const error = value["error"]
  const description = value["error_description"]
  const uri = value["error_uri"]
  const message = value["message"]
  const code =
    (typeof error === "string" && error !== "") ||
    (typeof error === "number" && Number.isFinite(error)) ||
    error === true
  if (!code || !isText(description) || !isText(uri) || !isText(message)) return undefined
  return { error, error_description: description, error_uri: uri, message }
}

/** The granted scopes, split by either delimiter (RFC servers use spaces, Cryptohopper commas). */
export const splitScopes = (
  scope: string | ReadonlyArray<string> | null | undefined,
): ReadonlyArray<string> => {
  if (scope === null || scope === undefined) return []
  if (typeof scope === "string" && !/[\s,]/.test(scope)) return scope === "" ? [] : [scope]
  const parts = typeof scope === "string" ? scope.split(/[\s,]+/) : scope.flatMap((s) => s.split(/[\s,]+/))
  return parts.filter((s) => s.length > 0)
}

/** `token_type` as a TokenSet keeps it: `Bearer` in any case reads as `Bearer`, others as sent (default `Bearer`). */
export const tokenTypeOf = (tokenType: string | null | undefined): string => {
  const t = tokenType ?? "Bearer"
  return t === "Bearer" || t.toLowerCase() === "bearer" ? "Bearer" : t
}
