/**
 * The HTTP transport every flow talks through: one request in, status + headers + body text out.
 * It owns the timeout, the body size cap and the retry rules, so a flow only says how safe its
 * request is to repeat. Two engines send the attempts, with the same rules around them:
 * - on Node, `undici.request` (the HTTP client Node's own fetch is built on, without the WHATWG
 *   fetch layer: about half the CPU per request). undici is loaded on the first request, never at
 *   import, and only on Node; if it cannot be loaded (a bundle without node_modules), fetch is used.
 * - everywhere else (Deno, Bun, workers, browsers), or when `options.fetch` is given, `fetch`.
 * Neither engine follows redirects or replays a request (a 421 comes back as a 421), and both send
 * the body with `Content-Length`. `KyTransport` (`@grantflow/core/ky`) is the same transport on ky.
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
import type * as Random from "effect/Random"
import { InvalidResponse, TransportError } from "./Errors.js"
import type * as Undici from "undici"
import { failureOf, toHttpResponse } from "./internal/fetchResponse.js"
import { oneShotBody } from "./internal/oneShotBody.js"
import { Exchange, targetOf } from "./internal/undiciExchange.js"

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
  /**
   * A `fetch` implementation: the default transport then sends with it instead of undici (on Node)
   * or `globalThis.fetch`; the ky transport hands it to ky.
   */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/** The undici transport's options: the common ones, and the undici dispatcher to send through. */
export interface UndiciTransportOptions extends Omit<TransportOptions, "fetch"> {
  /**
   * An undici `Dispatcher` (an `Agent` with TLS options, a `ProxyAgent`, ...). Default: undici's
   * global dispatcher, so `setGlobalDispatcher(...)` applies to grantflow too.
   */
  readonly dispatcher?: Undici.Dispatcher | undefined
}

/** One attempt, no retries, no timeout: what a custom transport has to provide. */
export type Send = (
  request: HttpRequest,
  maxBodyBytes: number,
) => Effect.Effect<HttpResponse, TransportError | InvalidResponse>

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

const retryOnFailure = (safety: RetrySafety, error: TransportError | InvalidResponse): boolean => {
  if (safety === "never" || error._tag === "InvalidResponse") return false
  if (safety === "idempotent") return true
  return error.code !== undefined && REFUSED.has(error.code)
}

const retryOnResponse = (safety: RetrySafety, { status, headers }: HttpResponse): boolean => {
  if (safety === "never") return false
  if (safety === "idempotent") return status === 429 || (status >= 500 && status !== 501 && status !== 505)
  return status === 429 || (status === 503 && headers["retry-after"] !== undefined)
}

type Resolved = typeof defaults
type Outcome = Effect.Effect<HttpResponse, TransportError | InvalidResponse>
/** Turns an attempt's response or error into what the request resolves to: it, or the next attempt. */
type Then = (
  response: HttpResponse | undefined,
  error: TransportError | InvalidResponse | undefined,
) => Outcome
/** One attempt, continued by `then`. */
type Attempt = (request: HttpRequest, then: Then) => Outcome

const timeoutError = (request: HttpRequest, ms: number): TransportError =>
  new TransportError({
    reason: "timeout",
    request: describeRequest(request.method, request.url),
    detail: `no complete answer within ${ms} ms`,
  })

const finish: Then = (response, error) =>
  error === undefined ? Effect.succeed(response!) : Effect.fail(error)

/**
 * The jitter's random number, from Effect's Random service (so a test's Random applies). The
 * module, and the crypto modules behind it, load at the first backoff: a program whose requests
 * never back off does not load them at import.
 */
const randomNext: Effect.Effect<number> = Effect.flatMap(
  Effect.promise((): Promise<typeof Random> => import("effect/Random")),
  (R) => R.next,
)

/**
 * The retry rules around one attempt. The happy path is the attempt and a status check: the
 * backoff, `Retry-After` and randomness are only reached when an attempt asks for a retry.
 */
const retrying = (attempt: Attempt, o: Resolved): HttpTransport["Service"] => {
  const run = (request: HttpRequest, safety: RetrySafety, attemptNo: number): Outcome =>
    attempt(request, (response, error) =>
      attemptNo < o.retries &&
      (error === undefined ? retryOnResponse(safety, response!) : retryOnFailure(safety, error))
        ? again(request, safety, attemptNo, response)
        : finish(response, error),
    )
  const again = (
    request: HttpRequest,
    safety: RetrySafety,
    attemptNo: number,
    response: HttpResponse | undefined,
  ) => {
    const next = Effect.suspend(() => run(request, safety, attemptNo + 1))
    const retryAfter =
      response === undefined ? undefined : parseRetryAfter(response.headers["retry-after"], Date.now())
    if (retryAfter !== undefined) {
      // A server that asks for a long pause gets it from the caller, not from a blocked request.
      if (retryAfter > o.maxRetryAfterMs) return Effect.succeed(response!)
      return Effect.andThen(Effect.sleep(Duration.millis(retryAfter)), next)
    }
    const ceiling = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** attemptNo)
    return randomNext.pipe(
      Effect.flatMap((r) => Effect.sleep(Duration.millis(ceiling / 2 + r * (ceiling / 2)))),
      Effect.andThen(next),
    )
  }
  return {
    request: (request) => {
      const safety = request.retry ?? "never"
      return safety === "never" || o.retries <= 0 ? attempt(request, finish) : run(request, safety, 0)
    },
  }
}

/** The part of `fetch` an attempt uses; ky's instances fit it too. */
export type FetchLike = (
  url: string,
  init: {
    method: string
    headers: Readonly<Record<string, string>> | undefined
    body: string | undefined
    signal: AbortSignal
  },
) => Promise<Response>

/**
 * One attempt through a fetch-like function. A single AbortController serves both the timeout
 * (a plain timer, cleared on the answer) and interruption, so the request never races a second
 * fiber and no combined signal is built.
 */
const fetchAttempt =
  (fetchLike: FetchLike, o: Resolved): Attempt =>
  (request, then) =>
    Effect.callback<HttpResponse, TransportError | InvalidResponse>((resume) => {
      const ms = request.timeoutMs ?? o.timeoutMs
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, ms)
      const fail = (error: unknown) => {
        clearTimeout(timer)
        resume(
          then(
            undefined,
            timedOut
              ? timeoutError(request, ms)
              : failureOf(error, describeRequest(request.method, request.url), o.maxBodyBytes),
          ),
        )
      }
      try {
        fetchLike(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: controller.signal,
        })
          .then((response) => toHttpResponse(response, o.maxBodyBytes))
          .then((response) => {
            clearTimeout(timer)
            resume(then(response, undefined))
          }, fail)
      } catch (error) {
        fail(error)
      }
      return Effect.sync(() => {
        clearTimeout(timer)
        controller.abort()
      })
    })

/** The undici module, loaded on the first request of an undici transport. */
type UndiciModule = typeof Undici

let undiciModule: UndiciModule | undefined
let undiciLoading: Promise<UndiciModule | undefined> | undefined

/**
 * Loads undici once per process; `undefined` when it cannot be loaded. The specifier is not a
 * literal so that bundlers for browsers and workers do not try to pull undici (and node:*) in.
 */
const loadUndici = (): Promise<UndiciModule | undefined> => {
  const specifier = "undici"
  return (undiciLoading ??= (import(specifier) as Promise<UndiciModule>).then(
    (m) => (undiciModule = m),
    () => undefined,
  ))
}

/** Node (not Deno, not Bun, which carry a `process` too): where undici is the default engine. */
const onNode = (): boolean => {
  const p = (globalThis as { process?: { release?: { name?: unknown }; versions?: Record<string, unknown> } })
    .process
  return (
    p?.release?.name === "node" &&
    p.versions?.["bun"] === undefined &&
    (globalThis as { Deno?: unknown }).Deno === undefined
  )
}

/**
 * One attempt on an undici dispatcher, through its handler interface (what `undici.request` is
 * built on, without its body stream and abort-signal listener): no fetch layer, the body a string
 * that undici sends once with `Content-Length` (a dispatcher never retries, and knows nothing of
 * 421 replays), redirects returned as they are. One timer serves the timeout; interruption
 * aborts the exchange.
 */
const undiciAttempt =
  (undici: UndiciModule, dispatcher: Undici.Dispatcher | undefined, o: Resolved): Attempt =>
  (request, then) =>
    Effect.callback<HttpResponse, TransportError | InvalidResponse>((resume) => {
      const ms = request.timeoutMs ?? o.timeoutMs
      let timedOut = false
      const exchange = new Exchange(o.maxBodyBytes, (response, error) => {
        clearTimeout(timer)
        resume(
          error === undefined
            ? then(response, undefined)
            : then(
                undefined,
                timedOut
                  ? timeoutError(request, ms)
                  : failureOf(error, describeRequest(request.method, request.url), o.maxBodyBytes),
              ),
        )
      })
      const timer = setTimeout(() => {
        timedOut = true
        exchange.abort(new Error("timeout"))
      }, ms)
      try {
        const { origin, path } = targetOf(request.url)
        ;(dispatcher ?? undici.getGlobalDispatcher()).dispatch(
          { origin, path, method: request.method, headers: request.headers, body: request.body ?? null },
          exchange,
        )
      } catch (error) {
        exchange.onResponseError(undefined as never, error as Error)
      }
      return Effect.sync(() => {
        clearTimeout(timer)
        exchange.abort(new Error("interrupted"))
      })
    })

/**
 * The undici attempt, loading undici on the first request; `fallback` when it cannot be loaded.
 * Once loaded, an attempt costs no more than a direct call.
 */
const lazyUndiciAttempt = (
  dispatcher: Undici.Dispatcher | undefined,
  o: Resolved,
  fallback: Attempt,
): Attempt => {
  let ready: Attempt | undefined =
    undiciModule === undefined ? undefined : undiciAttempt(undiciModule, dispatcher, o)
  return (request, then) => {
    if (ready !== undefined) return ready(request, then)
    return Effect.flatMap(Effect.promise(loadUndici), (undici) => {
      ready ??= undici === undefined ? fallback : undiciAttempt(undici, dispatcher, o)
      return ready(request, then)
    })
  }
}

/** `fetch` (or `options.fetch`), with redirects not followed and a body fetch cannot replay. */
const fetchEngine =
  (custom: typeof globalThis.fetch | undefined): FetchLike =>
  (url, init) =>
    // A token endpoint that redirects is misconfigured; following would resend credentials.
    // The global is looked up per request, as a test or an instrumentation may replace it.
    (custom ?? globalThis.fetch)(url, {
      method: init.method,
      signal: init.signal,
      redirect: "manual",
      ...oneShotBody(init.headers, init.body),
    } as RequestInit)

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
    const o = resolve(options)
    return retrying(
      (request, then) =>
        send(request, o.maxBodyBytes).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(request.timeoutMs ?? o.timeoutMs),
            orElse: () => Effect.fail(timeoutError(request, request.timeoutMs ?? o.timeoutMs)),
          }),
          Effect.matchEffect({
            onSuccess: (response) => then(response, undefined),
            onFailure: (error) => then(undefined, error),
          }),
        ),
      o,
    )
  }

  /**
   * Like `fromSend` for a fetch-like function (`fetch` itself, a ky instance, ...) that takes an
   * abort signal: the timeout aborts the request itself instead of racing it.
   */
  static readonly fromFetch = (
    fetchLike: FetchLike,
    options: TransportOptions = {},
  ): HttpTransport["Service"] => {
    const o = resolve(options)
    return retrying(fetchAttempt(fetchLike, o), o)
  }

  /**
   * The default transport: `undici.request` on Node (see `undici`), `fetch` elsewhere or when
   * `options.fetch` is given (see `fetch`).
   */
  static readonly make = (options: TransportOptions = {}): HttpTransport["Service"] =>
    options.fetch === undefined && onNode() ? HttpTransport.undici(options) : HttpTransport.fetch(options)

  /**
   * The transport on `undici.request` (Node only; undici is loaded on the first request, and if it
   * cannot be, the attempt falls back to `fetch`). `options.dispatcher` picks the undici dispatcher.
   */
  static readonly undici = (options: UndiciTransportOptions = {}): HttpTransport["Service"] => {
    const o = resolve(options)
    return retrying(lazyUndiciAttempt(options.dispatcher, o, fetchAttempt(fetchEngine(undefined), o)), o)
  }

  /**
   * The transport on `fetch` (or `options.fetch`) with `redirect: "manual"`: the default on Deno,
   * Bun, workers and browsers. A request body goes out as a one-shot stream with `Content-Length`,
   * so fetch cannot replay it on a 421 (a code or a rotating refresh token is delivered at most
   * once); retries are this transport's alone.
   */
  static readonly fetch = (options: TransportOptions = {}): HttpTransport["Service"] =>
    HttpTransport.fromFetch(fetchEngine(options.fetch), options)

  /** A Layer with the default transport (undici on Node, fetch elsewhere). */
  static readonly layer = (options: TransportOptions = {}): Layer.Layer<HttpTransport> =>
    Layer.succeed(HttpTransport, HttpTransport.make(options))

  /** A Layer with the undici transport. */
  static readonly undiciLayer = (options: UndiciTransportOptions = {}): Layer.Layer<HttpTransport> =>
    Layer.succeed(HttpTransport, HttpTransport.undici(options))

  /** A Layer with the fetch transport (to keep fetch on Node, e.g. for a fetch-level instrumentation). */
  static readonly fetchLayer = (options: TransportOptions = {}): Layer.Layer<HttpTransport> =>
    Layer.succeed(HttpTransport, HttpTransport.fetch(options))
}

const resolve = (options: TransportOptions): Resolved =>
  ({ ...defaults, ...stripUndefined(options) }) as Resolved

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
