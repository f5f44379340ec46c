/**
 * The fields of a token endpoint's answer that we read, checked by hand. This is the hot path of
 * every token request, and `effect/Schema` is most of what a program would otherwise load at
 * import (142 modules) for two small shapes. The rules are exactly those the Schema definitions
 * had (test/tokenWire.test.ts decodes a corpus both ways and compares):
 *
 * ```ts
 * TokenWire = Struct({
 *   access_token: NonEmptyString,
 *   token_type, refresh_token, id_token: optional(NullOr(String)),
 *   expires_in: optional(NullOr(Union([Number, FiniteFromString]))),   // Number(s), finite
 *   scope: optional(NullOr(Union([String, Array(String)]))),
 * })
 * ErrorWire = Struct({
 *   error: Union([NonEmptyString, Finite, Literal(true)]),
 *   error_description, error_uri, message: optional(NullOr(String)),
 * })
 * ```
 */

export interface TokenWire {
  readonly access_token: string
  readonly token_type?: string | null | undefined
  readonly expires_in?: number | null | undefined
  readonly refresh_token?: string | null | undefined
  readonly id_token?: string | null | undefined
  readonly scope?: string | ReadonlyArray<string> | null | undefined
}

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

/** The token fields of `value`, or `undefined` when one of them has a type the answer may not have. */
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

/** The RFC 6749 §5.2 fields of `value` (or Cryptohopper's `{ error: 1, message }`), or `undefined`. */
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
