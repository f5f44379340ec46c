/**
 * Decodes what a token endpoint answered into a TokenSet, tolerant where real servers are
 * messy and strict where it matters: a body that is not an OAuth answer becomes
 * InvalidResponse (with a scrubbed excerpt), an RFC 6749 §5.2 error becomes OAuthServerError.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenResponse } from "@grantflow/core"
 * const tokens = TokenResponse.decode(provider, { status: 200, headers: {}, body: '{"access_token":"x"}' })
 * ```
 */
import { decodeErrorWire, decodeTokenWire, splitScopes, tokenTypeOf } from "@grantflow/kernel/TokenAnswer"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { InvalidResponse, OAuthServerError } from "./Errors.js"
import type { Provider } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"
import { type HttpResponse, parseRetryAfter } from "./Transport.js"
import { MAX_LIFETIME_SECONDS, lifetimeSeconds } from "@grantflow/kernel/Lifetime"
import { excerpt, issuedSecretsIn, redactRaw, redactText } from "./internal/redact.js"

/**
 * The longest lifetime a TokenSet gets (one year, in seconds): a larger `expires_in` (`1e13`,
 * `2^63-1`, some APIs' "never") is clamped to it. Zero or negative means "unknown lifetime".
 */
export const maxLifetimeSeconds: number = MAX_LIFETIME_SECONDS

type BodyKind = NonNullable<InvalidResponse["bodyKind"]>

type Parsed =
  | { readonly _tag: "Object"; readonly value: Record<string, unknown>; readonly kind: BodyKind }
  | { readonly _tag: "Invalid"; readonly reason: string; readonly kind: BodyKind }

const parseBody = (response: HttpResponse): Parsed => {
  const contentType = (response.headers["content-type"] ?? "").toLowerCase()
  const text = response.body.trim()
  if (text.length === 0) return { _tag: "Invalid", reason: "empty body", kind: "empty" }
  // Some servers (GitHub, older ones) answer form-encoded; golang/oauth2 accepts that too.
  if (contentType.includes("application/x-www-form-urlencoded")) {
    return { _tag: "Object", value: Object.fromEntries(new URLSearchParams(text)), kind: "form" }
  }
  if (contentType.includes("text/html") || text.startsWith("<")) {
    return {
      _tag: "Invalid",
      reason: "an HTML page instead of JSON (an error page or bot protection?)",
      kind: "html",
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { _tag: "Invalid", reason: "body is not valid JSON (truncated or malformed)", kind: "text" }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { _tag: "Invalid", reason: "body is JSON but not an object", kind: "json" }
  }
  return { _tag: "Object", value: value as Record<string, unknown>, kind: "json" }
}

/** What every decode needs to know besides the response. */
export interface DecodeContext {
  /** Secret values sent with the request, scrubbed from anything an error repeats. */
  readonly knownSecrets?: ReadonlyArray<string> | undefined
  /** The refresh token used for this request, kept when the dialect says so and none came back. */
  readonly previousRefreshToken?: Redacted.Redacted<string> | undefined
  /** Epoch milliseconds used to compute `expiresAt` (default `Date.now()`). */
  readonly now?: number | undefined
}

/**
 * What must not show in anything made from this answer: what the client sent, and every value
 * the answer holds under a secret-looking name (the tokens it issued, in whatever field).
 */
const secretsOf = (response: HttpResponse, ctx: DecodeContext): ReadonlyArray<string> => [
  ...(ctx.knownSecrets ?? []),
  ...issuedSecretsIn(response.body, response.headers["content-type"]),
]

const invalid = (response: HttpResponse, reason: string, ctx: DecodeContext, bodyKind: BodyKind): InvalidResponse =>
  new InvalidResponse({
    status: response.status,
    contentType: response.headers["content-type"],
    reason,
    excerpt: excerpt(response.body, secretsOf(response, ctx), response.headers["content-type"]),
    bodyKind,
  })

const text = (v: string | null | undefined, secrets: ReadonlyArray<string>): string | undefined =>
  v === null || v === undefined || v === "" ? undefined : redactText(v, secrets)

const retryAfterSeconds = (response: HttpResponse): number | undefined => {
  const ms = parseRetryAfter(response.headers["retry-after"], Date.now())
  return ms === undefined ? undefined : Math.ceil(ms / 1000)
}

const serverError = (
  response: HttpResponse,
  fields: { error: string; description?: string | null | undefined; uri?: string | null | undefined },
  ctx: DecodeContext,
): OAuthServerError => {
  const secrets = secretsOf(response, ctx)
  return new OAuthServerError({
    error: redactText(fields.error, secrets),
    description: text(fields.description, secrets),
    uri: text(fields.uri, secrets),
    status: response.status,
    retryAfter: retryAfterSeconds(response),
  })
}

const errorInObject = (response: HttpResponse, value: Record<string, unknown>, ctx: DecodeContext) => {
  const e = decodeErrorWire(value)
  if (e === undefined) return undefined
  return serverError(
    response,
    { error: String(e.error), description: e.error_description ?? e.message, uri: e.error_uri },
    ctx,
  )
}

const wwwAuthenticateParam = (header: string, name: string): string | undefined => {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|([^,\\s]+))`, "i").exec(header)
  return match === null ? undefined : (match[1] ?? match[2])
}

/**
 * Turns a non-2xx answer into the error it means: OAuthServerError when the body (or, for a 401,
 * the `WWW-Authenticate` header) carries an RFC 6749 error, InvalidResponse otherwise.
 */
export const errorOf = (response: HttpResponse, ctx: DecodeContext = {}): OAuthServerError | InvalidResponse => {
  const parsed = parseBody(response)
  if (parsed._tag === "Object") {
    const fromBody = errorInObject(response, parsed.value, ctx)
    if (fromBody !== undefined) return fromBody
  }
  // django-oauth-toolkit's 401 invalid_client says so in WWW-Authenticate, sometimes with no JSON body.
  const challenge = response.headers["www-authenticate"]
  if (challenge !== undefined) {
    const error = wwwAuthenticateParam(challenge, "error")
    if (error !== undefined) {
      return serverError(
        response,
        { error, description: wwwAuthenticateParam(challenge, "error_description"), uri: undefined },
        ctx,
      )
    }
  }
  const what = parsed._tag === "Invalid" ? parsed.reason : "no OAuth error in the body"
  // "Come back later" is an answer, whatever page a gateway put around it: the caller gets a typed
  // error carrying the wait (RFC 6749's code for an overloaded server), not an unreadable body.
  if (response.status === 429 || (response.status === 503 && response.headers["retry-after"] !== undefined)) {
    return serverError(
      response,
      {
        error: "temporarily_unavailable",
        description: `HTTP ${response.status} (${response.status === 429 ? "rate limited" : "unavailable"}) with ${what}`,
        uri: undefined,
      },
      ctx,
    )
  }
  return invalid(response, `HTTP ${response.status} with ${what}`, ctx, parsed.kind)
}

const SECRET_FIELDS = new Set(["access_token", "refresh_token", "id_token"])

/** Visible ASCII only (RFC 6750 b64token and every token seen in practice fit in it). */
const HEADER_VALUE = /^[\x21-\x7e]+$/
/** RFC 9110 token: what an authentication scheme is made of. */
const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Decodes a token endpoint answer (any status) into a TokenSet or the error it carries. */
export const decode = (
  provider: Provider,
  response: HttpResponse,
  ctx: DecodeContext = {},
): Effect.Effect<TokenSet, OAuthServerError | InvalidResponse> =>
  Effect.suspend(() => {
    if (response.status < 200 || response.status >= 300) return Effect.fail(errorOf(response, ctx))
    const parsed = parseBody(response)
    if (parsed._tag === "Invalid") return Effect.fail(invalid(response, parsed.reason, ctx, parsed.kind))
    const value = parsed.value
    // An error inside a 200: Cryptohopper's gateway and some others do this.
    if (value["error"] !== undefined && value["error"] !== null && value["error"] !== false && value["error"] !== 0) {
      const error = errorInObject(response, value, ctx)
      if (error !== undefined) return Effect.fail(error)
    }
    const wire = decodeTokenWire(value)
    if (wire === undefined) {
      return Effect.fail(
        invalid(
          response,
          typeof value["access_token"] === "string" && value["access_token"] !== ""
            ? "token response fields have the wrong types"
            : "token response has no access_token",
          ctx,
          parsed.kind,
        ),
      )
    }
    // An access token goes into a header as it is, and the type names its scheme: an empty,
    // blank or non-printable one would fail (or be misread) at the first API call.
    if (!HEADER_VALUE.test(wire.access_token)) {
      return Effect.fail(invalid(response, "access_token is blank or has characters a header cannot carry", ctx, parsed.kind))
    }
    if (wire.token_type !== undefined && wire.token_type !== null && !AUTH_SCHEME.test(wire.token_type)) {
      return Effect.fail(invalid(response, "token_type is empty or not an HTTP authentication scheme", ctx, parsed.kind))
    }
    const now = ctx.now ?? Date.now()
    const lifetime = lifetimeSeconds(wire.expires_in)
    const tokenType = wire.token_type ?? "Bearer"
    const refreshToken =
      wire.refresh_token !== undefined && wire.refresh_token !== null && wire.refresh_token.trim() !== ""
        ? Redacted.make(wire.refresh_token)
        : provider.dialect.keepRefreshTokenWhenAbsent
          ? ctx.previousRefreshToken
          : undefined
    const raw: Record<string, unknown> = {}
    for (const k of Object.keys(value)) if (!SECRET_FIELDS.has(k)) raw[k] = value[k]
    // Tokens under other names (`refreshToken`, `data.token`, ...) or repeated in another field
    // must not print either.
    const issued = [wire.access_token, wire.refresh_token, wire.id_token, ...(ctx.knownSecrets ?? [])].filter(
      (v): v is string => typeof v === "string" && v !== "",
    )
    const tokens: TokenSet = {
      accessToken: Redacted.make(wire.access_token),
      tokenType: tokenTypeOf(tokenType),
      expiresAt: lifetime === undefined ? undefined : new Date(now + lifetime * 1000),
      refreshToken,
      scopes: splitScopes(wire.scope),
      idToken: wire.id_token === undefined || wire.id_token === null ? undefined : Redacted.make(wire.id_token),
      raw: redactRaw(raw, issued, Redacted.make) as Record<string, unknown>,
    }
    return Effect.succeed(tokens)
  })

/**
 * The JSON object of a successful answer from an endpoint next to the token endpoint (device
 * authorization, introspection), read with the same rules as a token answer: a non-2xx or an
 * `error` inside a 200 becomes OAuthServerError, a body that is not a JSON object InvalidResponse.
 */
export const decodeObject = (
  response: HttpResponse,
  ctx: DecodeContext = {},
): Effect.Effect<Readonly<Record<string, unknown>>, OAuthServerError | InvalidResponse> =>
  Effect.suspend(() => {
    if (response.status < 200 || response.status >= 300) return Effect.fail(errorOf(response, ctx))
    const parsed = parseBody(response)
    if (parsed._tag === "Invalid") return Effect.fail(invalid(response, parsed.reason, ctx, parsed.kind))
    const error = parsed.value["error"]
    if (error !== undefined && error !== null && error !== false && error !== 0) {
      const serverError = errorInObject(response, parsed.value, ctx)
      if (serverError !== undefined) return Effect.fail(serverError)
    }
    return Effect.succeed(parsed.value)
  })

/** InvalidResponse for a 2xx answer whose fields are wrong, with the body scrubbed of `knownSecrets`. */
export const invalidAnswer = (
  response: HttpResponse,
  reason: string,
  ctx: DecodeContext = {},
): InvalidResponse => invalid(response, reason, ctx, parseBody(response).kind)
