/**
 * The HTTP transport every flow talks through: one request in, status + headers + body text out.
 * It owns the timeout, the body size cap and the retry rules, so a flow only says how safe its
 * request is to repeat. The default Layer is built on ky (its own retries and timeout switched
 * off: ours honour `Retry-After` and never repeat a request the server may have acted on).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpTransport, OAuth, Providers } from "@grantflow/core"
 * const program = OAuth.clientCredentials(provider, { scopes: ["read"] }).pipe(
 *   Effect.provide(HttpTransport.layer({ timeoutMs: 5_000, retries: 3 })),
 * )
 * ```
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import ky from "ky"
import { InvalidResponse, TransportError } from "./Errors.js"

/**
 * How safe a request is to send again:
 * - `idempotent`: repeat on network errors, timeouts, 429 and 5xx (client credentials, revocation, metadata).
 * - `unseen-only`: repeat only when the server cannot have processed it: connection refused, 429, or
 *   503 with `Retry-After` (refresh: a rotated refresh token must not be spent twice).
 * - `never`: one attempt (authorization code exchange: a code is single use).
 */
export type RetrySafety = "idempotent" | "unseen-only" | "never"

export interface HttpRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | undefined
  /** Per-attempt timeout; the transport's default when omitted. */
  readonly timeoutMs?: number | undefined
  /** Defaults to `never`. */
  readonly retry?: RetrySafety | undefined
}

export interface HttpResponse {
  readonly status: number
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Tuning for the transport; every field has a safe default. */
export interface TransportOptions {
  /** Per-attempt timeout in milliseconds (default 10 000). */
  readonly timeoutMs?: number | undefined
  /** Retries after the first attempt, for requests that are safe to repeat (default 2). */
  readonly retries?: number | undefined
  /** Largest response body accepted, in bytes (default 1 MiB); larger ones become InvalidResponse. */
  readonly maxBodyBytes?: number | undefined
  /** Longest `Retry-After` we wait for; a server asking for longer gets no retry (default 30 000). */
  readonly maxRetryAfterMs?: number | undefined
  /** First backoff delay; doubles per retry, with jitter (default 200). */
  readonly backoffBaseMs?: number | undefined
  /** Cap of one backoff delay (default 5 000). */
  readonly backoffMaxMs?: number | undefined
  /** A `fetch` implementation for ky (default `globalThis.fetch`). */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/** One attempt, no retries, no timeout: what a custom transport has to provide. */
export type Send = (request: HttpRequest, maxBodyBytes: number) => Effect.Effect<HttpResponse, TransportError | InvalidResponse>

const defaults = {
  timeoutMs: 10_000,
  retries: 2,
  maxBodyBytes: 1024 * 1024,
  maxRetryAfterMs: 30_000,
  backoffBaseMs: 200,
  backoffMaxMs: 5_000,
}

/** `METHOD origin+path`: never the query or the body. */
export const describeRequest = (method: string, url: string): string => {
  try {
    const u = new URL(url)
    return `${method} ${u.origin}${u.pathname}`
  } catch {
    return `${method} <invalid url>`
  }
}

/** Parses `Retry-After` (delay seconds or an HTTP date) into milliseconds from `now`. */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

const REFUSED = new Set(["ECONNREFUSED"])

type Attempt =
  | { readonly _tag: "Response"; readonly response: HttpResponse }
  | { readonly _tag: "Failure"; readonly error: TransportError | InvalidResponse }

const shouldRetry = (safety: RetrySafety, attempt: Attempt): boolean => {
  if (safety === "never") return false
  if (attempt._tag === "Failure") {
    if (attempt.error._tag === "InvalidResponse") return false
    if (safety === "idempotent") return true
    return attempt.error.code !== undefined && REFUSED.has(attempt.error.code)
  }
  const { status, headers } = attempt.response
  if (safety === "idempotent") return status === 429 || (status >= 500 && status !== 501 && status !== 505)
  return status === 429 || (status === 503 && headers["retry-after"] !== undefined)
}

/** The HTTP transport service. */
export class HttpTransport extends Context.Service<
  HttpTransport,
  {
    /** Sends `request`, retrying as `request.retry` allows; non-2xx answers are returned, not failed. */
    readonly request: (request: HttpRequest) => Effect.Effect<HttpResponse, TransportError | InvalidResponse>
  }
>()("@grantflow/core/HttpTransport") {
  /** Wraps a one-attempt `send` with the timeout, size cap and retry rules. */
  static readonly fromSend = (send: Send, options: TransportOptions = {}): HttpTransport["Service"] => {
    const o = { ...defaults, ...stripUndefined(options) }
    const attemptOnce = (request: HttpRequest): Effect.Effect<Attempt> =>
      send(request, o.maxBodyBytes).pipe(
        Effect.timeoutOrElse({
          duration: Duration.millis(request.timeoutMs ?? o.timeoutMs),
          orElse: () =>
            Effect.fail(
              new TransportError({
                reason: "timeout",
                request: describeRequest(request.method, request.url),
                detail: `no complete answer within ${request.timeoutMs ?? o.timeoutMs} ms`,
              }),
            ),
        }),
        Effect.map((response): Attempt => ({ _tag: "Response", response })),
        Effect.catch((error) => Effect.succeed<Attempt>({ _tag: "Failure", error })),
      )
    const request = Effect.fnUntraced(function* (request: HttpRequest) {
      const safety = request.retry ?? "never"
      let retriesLeft = o.retries
      let attemptNo = 0
      while (true) {
        const attempt = yield* attemptOnce(request)
        if (retriesLeft <= 0 || !shouldRetry(safety, attempt)) {
          if (attempt._tag === "Failure") return yield* Effect.fail(attempt.error)
          return attempt.response
        }
        const retryAfter =
          attempt._tag === "Response" ? parseRetryAfter(attempt.response.headers["retry-after"], Date.now()) : undefined
        let delay: number
        if (retryAfter !== undefined) {
          // A server that asks for a long pause gets it from the caller, not from a blocked request.
          if (retryAfter > o.maxRetryAfterMs) return (attempt as { response: HttpResponse }).response
          delay = retryAfter
        } else {
          const ceiling = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** attemptNo)
          delay = ceiling / 2 + (yield* Random.next) * (ceiling / 2)
        }
        yield* Effect.sleep(Duration.millis(delay))
        retriesLeft--
        attemptNo++
      }
    })
    return { request }
  }

  /** The default transport on ky. */
  static readonly make = (options: TransportOptions = {}): HttpTransport["Service"] =>
    HttpTransport.fromSend(kySend(options.fetch), options)

  /** A Layer with the default ky transport. */
  static readonly layer = (options: TransportOptions = {}): Layer.Layer<HttpTransport> =>
    Layer.succeed(HttpTransport, HttpTransport.make(options))
}

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

class BodyTooLarge {
  constructor(readonly status: number, readonly contentType: string | undefined) {}
}

const readCapped = async (response: Response, maxBytes: number): Promise<string> => {
  const contentType = response.headers.get("content-type") ?? undefined
  const declared = Number(response.headers.get("content-length") ?? "")
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new BodyTooLarge(response.status, contentType)
  }
  if (response.body === null) return ""
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge(response.status, contentType)
    }
    chunks.push(value)
  }
  const all = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(all)
}

const errorCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const kySend =
  (fetchImpl: typeof globalThis.fetch | undefined): Send =>
  (request, maxBodyBytes) =>
    Effect.tryPromise({
      try: async (signal) => {
        const response = await ky(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          throwHttpErrors: false,
          retry: 0,
          timeout: false,
          // A token endpoint that redirects is misconfigured; following would resend credentials.
          redirect: "manual",
          signal,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        })
        const body = await readCapped(response, maxBodyBytes)
        const headers: Record<string, string> = {}
        response.headers.forEach((value, key) => {
          headers[key.toLowerCase()] = value
        })
        return { status: response.status, headers, body }
      },
      catch: (error): TransportError | InvalidResponse => {
        if (error instanceof BodyTooLarge) {
          return new InvalidResponse({
            status: error.status,
            contentType: error.contentType,
            reason: `response body larger than ${maxBodyBytes} bytes`,
            excerpt: "",
          })
        }
        const code = errorCode(error)
        return new TransportError({
          reason: "network",
          request: describeRequest(request.method, request.url),
          detail: code ?? (error instanceof Error ? error.name : "unknown failure"),
          code,
        })
      },
    })
