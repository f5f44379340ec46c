/**
 * Token introspection (RFC 7662): asks the authorization server whether a token is active and
 * what it grants, authenticated as the provider's client exactly as at its token endpoint. An
 * inactive answer (`{"active": false}`: unknown, expired or revoked token) is a result, not an
 * error; an answer without a boolean `active` is InvalidResponse.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth } from "@grantflow/core"
 * const info = OAuth.introspect(provider, accessToken, { hint: "access_token" })
 * // { active: true, scopes: ["read"], clientId: "app", expiresAt: Date, subject: "user-1", raw: {...} }
 * ```
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { ConfigError, InvalidResponse, OAuthServerError, TransportError } from "./Errors.js"
import type { Provider } from "./Provider.js"
import * as TokenResponse from "./TokenResponse.js"
import type { HttpTransport } from "./Transport.js"
import { postWithClientAuth } from "./internal/clientAuthenticatedPost.js"
import type { SecretInput } from "./internal/secrets.js"
import { redactKnownSecrets } from "./internal/redact.js"
import { toRedacted } from "./internal/secrets.js"

export interface IntrospectOptions {
  /** RFC 7662 `token_type_hint`: which kind of token it is, so the server looks there first. */
  readonly hint?: "access_token" | "refresh_token" | undefined
}

/** What the server said about a token. Every field but `active` is undefined (or empty) when it did not say. */
export interface Introspection {
  readonly active: boolean
  readonly scopes: ReadonlyArray<string>
  readonly clientId: string | undefined
  /** From `exp`. */
  readonly expiresAt: Date | undefined
  /** From `sub`. */
  readonly subject: string | undefined
  /** From `username` (django-oauth-toolkit names the resource owner there, not in `sub`). */
  readonly username: string | undefined
  readonly tokenType: string | undefined
  /** Every field of the answer, with any echo of the token or the client secret replaced by `<redacted>`. */
  readonly raw: Readonly<Record<string, unknown>>
}

const Text = Schema.optional(Schema.NullOr(Schema.String))
const Seconds = Schema.optional(Schema.NullOr(Schema.Union([Schema.Finite, Schema.FiniteFromString])))

/** RFC 7662 §2.2: `active` must be a JSON boolean (a string "true" is not taken as a yes). */
const IntrospectionWire = Schema.Struct({
  active: Schema.Boolean,
  scope: Schema.optional(Schema.NullOr(Schema.Union([Schema.String, Schema.Array(Schema.String)]))),
  client_id: Text,
  exp: Seconds,
  sub: Text,
  username: Text,
  token_type: Text,
})
const decodeWire = Schema.decodeUnknownResult(IntrospectionWire)

const SECRET_FIELDS = new Set([
  "access_token",
  "refresh_token",
  "id_token",
  "token",
  "client_secret",
  "device_code",
])
const REDACTED = "<redacted>"

/**
 * A copy of the answer safe to log: secret-named fields and every spelling of a secret we sent
 * replaced. Only those: the pattern rules of `redactText` would also blank out long identifiers
 * (`jti`, `sub`) the caller needs.
 */
const scrub = (value: unknown, knownSecrets: ReadonlyArray<string>): unknown => {
  if (typeof value === "string") return redactKnownSecrets(value, knownSecrets)
  if (Array.isArray(value)) return value.map((v) => scrub(v, knownSecrets))
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_FIELDS.has(k) ? REDACTED : scrub(v, knownSecrets)
    return out
  }
  return value
}

const splitScopes = (scope: string | ReadonlyArray<string> | null | undefined): ReadonlyArray<string> => {
  if (scope === null || scope === undefined) return []
  const parts = typeof scope === "string" ? scope.split(/\s+/) : scope.flatMap((s) => s.split(/\s+/))
  return parts.filter((s) => s.length > 0)
}

const orUndefined = (v: string | null | undefined): string | undefined =>
  v === null || v === "" ? undefined : v

/** Introspects a token at the provider's introspection endpoint. */
export const introspect = Effect.fn("OAuth.introspect")(function* (
  provider: Provider,
  token: SecretInput,
  options: IntrospectOptions = {},
): Effect.fn.Return<
  Introspection,
  ConfigError | TransportError | InvalidResponse | OAuthServerError,
  HttpTransport
> {
  yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.id })
  const { response, knownSecrets } = yield* postWithClientAuth(provider, "introspection", [
    ["token", toRedacted(token)],
    ["token_type_hint", options.hint],
  ])
  const value = yield* TokenResponse.decodeObject(response, { knownSecrets })
  const decoded = decodeWire(value)
  if (Result.isFailure(decoded)) {
    return yield* TokenResponse.invalidAnswer(
      response,
      "introspection answer has no boolean active, or fields of the wrong type",
      { knownSecrets },
    )
  }
  const wire = decoded.success
  const clean = (v: string | null | undefined) => {
    const s = orUndefined(v)
    return s === undefined ? undefined : redactKnownSecrets(s, knownSecrets)
  }
  return {
    active: wire.active,
    scopes: splitScopes(wire.scope),
    clientId: clean(wire.client_id),
    expiresAt: wire.exp === undefined || wire.exp === null ? undefined : new Date(wire.exp * 1000),
    subject: clean(wire.sub),
    username: clean(wire.username),
    tokenType: clean(wire.token_type),
    raw: scrub(value, knownSecrets) as Record<string, unknown>,
  }
})
