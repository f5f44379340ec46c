/**
 * The authenticated API call: `fetch` with a session's access token attached the provider's way,
 * written once, here. The Promise client's `fetch` and `api` (ky) are shells over it.
 *
 * - **Only the provider's origins see the token.** The URL (relative paths join the provider's API
 *   base) must be on one of the provider's endpoints' origins, and so must every redirect hop that
 *   carries the token. Redirects are followed by us (`redirect: "manual"`), at most `maxRedirects`
 *   hops: a hop to one of the provider's origins gets the token again; a hop to any other origin
 *   is followed *without* credentials (no `Authorization`, no dialect token header such as
 *   Cryptohopper's `access-token`, no app key, no cookies), and nothing after it carries them
 *   either. A 307/308 whose body cannot be sent again (a stream) is handed back as it is.
 * - **Typed failures.** No answer within `timeoutMs` (per hop, until the response headers) is a
 *   `TransportError` "timeout"; a reset or refused connection a `TransportError` "network"; an
 *   abort through `init.signal` a `TransportError` "aborted"; more than `maxRedirects` hops an
 *   `InvalidResponse`.
 * - **A refused token is renewed once.** The dialect's `apiRefusal` says what a refusal looks
 *   like (401; RFC 6750 `WWW-Authenticate: Bearer error="invalid_token"`; Cryptohopper's error
 *   flag inside a 2xx). The TokenManager renews (single-flight, `rejected`), and the request is
 *   sent once more when its body can be sent again; otherwise the caller gets the refusal and the
 *   next call uses the renewed token.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OAuth, Providers } from "@grantflow/core"
 * const hopper = Providers.cryptohopper({ clientId, clientSecret, redirectUri })
 * const user = OAuth.fetch(hopper, "/user/get", { session: "alice" }).pipe(
 *   Effect.flatMap((res) => Effect.promise(() => res.json())),
 * )
 * await Effect.runPromise(user.pipe(Effect.provide(OAuth.layer())))
 * ```
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { ConfigError, InvalidResponse, TransportError } from "./Errors.js"
import type { Provider } from "./Provider.js"
import * as SessionKey from "./SessionKey.js"
import type { SessionOptions } from "./SessionKey.js"
import { type TokenError, TokenManager } from "./TokenManager.js"
import { describeRequest } from "./Transport.js"
import {
  attachToken,
  credentialHeaders,
  type HeaderRecord,
  headerRecord,
  refusedInBody,
  replayableBody,
  tokenRefused,
} from "./internal/apiRequest.js"
import { errorCode } from "./internal/fetchResponse.js"

/** Tuning of the API call; the timeout and `fetch` are the transport's (`TransportOptions`). */
export interface ApiClientOptions {
  /** Per-hop wait for the response headers, in milliseconds (default 10 000, like the transport). */
  readonly timeoutMs?: number | undefined
  /** Redirect hops followed before giving up with `InvalidResponse` (default 5; 0 hands every 3xx back). */
  readonly maxRedirects?: number | undefined
  /** A `fetch` implementation (default `globalThis.fetch`, looked up per call). */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/** `RequestInit` plus the session whose token is attached (omitted: the client's default one). */
export type ApiRequestInit = RequestInit &
  SessionOptions & {
    /** This call's per-hop timeout instead of the client's; `Infinity` for none (e.g. when ky times the call). */
    readonly timeoutMs?: number | undefined
  }

/** Everything an API call can fail with: the token's errors and the request's own. */
export type ApiError = TokenError

/** The authenticated API call service. */
export class ApiClient extends Context.Service<
  ApiClient,
  {
    /**
     * Sends `input` (an absolute URL on one of the provider's origins, or a path under its API base)
     * with the session's token; resolves with the final response, whatever its status.
     */
    readonly fetch: (
      provider: Provider,
      input: string | URL | Request,
      init?: ApiRequestInit,
    ) => Effect.Effect<Response, ApiError>
  }
>()("@grantflow/core/ApiClient") {
  /** A Layer over the context's TokenManager. */
  static readonly layer = (options: ApiClientOptions = {}): Layer.Layer<ApiClient, never, TokenManager> =>
    Layer.effect(ApiClient, make(options))

  /** Builds the service over the context's TokenManager. */
  static readonly make = (options: ApiClientOptions = {}) => make(options)
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_REDIRECTS = 5

const isAbsolute = (input: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(input)

/** The origins of a provider's endpoints: the only places its tokens go. Computed once per provider. */
const originsOf = (() => {
  const cache = new WeakMap<Provider, ReadonlySet<string>>()
  return (provider: Provider): ReadonlySet<string> => {
    let origins = cache.get(provider)
    if (origins === undefined) {
      origins = new Set(
        Object.values(provider.endpoints)
          .filter((u): u is string => typeof u === "string")
          .map((u) => new URL(u).origin),
      )
      cache.set(provider, origins)
    }
    return origins
  }
})()

/** The provider's API base without trailing slashes, and its origin. Computed once per provider. */
const apiBaseOf = (() => {
  const cache = new WeakMap<Provider, { readonly prefix: string; readonly origin: string } | undefined>()
  return (provider: Provider) => {
    if (!cache.has(provider)) {
      const base = provider.endpoints.api
      cache.set(
        provider,
        base === undefined ? undefined : { prefix: base.replace(/\/+$/, ""), origin: new URL(base).origin },
      )
    }
    return cache.get(provider)
  }
})()

/** One request as we send it: everything but the token, which is attached per hop. */
interface Outgoing {
  readonly href: string
  readonly origin: string
  readonly method: string
  readonly headers: HeaderRecord
  readonly body: BodyInit | null | undefined
  /** Whether `body` can be sent again (for a 307/308 hop or a retry after a refused token). */
  readonly replayable: boolean
  readonly init: RequestInit
  readonly timeoutMs: number | undefined
}

const fromInput = (
  provider: Provider,
  input: string | URL | Request,
  init: RequestInit,
  timeoutMs: number | undefined,
): Outgoing => {
  if (input instanceof Request) {
    // A Request's own body is a stream we cannot tell apart from an upload: it is sent once.
    const merged = new Request(input, init)
    const ownBody = input.body !== null && init.body === undefined
    const url = new URL(merged.url)
    return {
      href: url.href,
      origin: url.origin,
      method: merged.method,
      headers: headerRecord(merged.headers),
      body: ownBody ? merged.body : init.body,
      replayable: !ownBody && replayableBody(init.body),
      init: { ...init, ...(ownBody ? { duplex: "half" } : {}), signal: init.signal ?? input.signal },
      timeoutMs,
    }
  }
  const raw = input instanceof URL ? input.href : input
  let href: string
  let origin: string
  if (isAbsolute(raw)) {
    const url = new URL(raw)
    href = url.href
    origin = url.origin
  } else {
    const base = apiBaseOf(provider)
    if (base === undefined) {
      throw new ConfigError({
        reason: `provider ${provider.id} has no api base: pass an absolute URL to fetch`,
      })
    }
    // Appended after the base's own path, a relative input cannot change the origin: no parse needed.
    href = `${base.prefix}/${raw.replace(/^\/+/, "")}`
    origin = base.origin
  }
  return {
    href,
    origin,
    method: (init.method ?? "GET").toUpperCase(),
    headers: headerRecord(init.headers),
    body: init.body,
    replayable: replayableBody(init.body),
    init,
    timeoutMs,
  }
}

const copyHeaders = (headers: HeaderRecord): HeaderRecord =>
  Object.assign(Object.create(null) as HeaderRecord, headers)

/** Where a 3xx sends us, per the fetch standard's method rules; undefined when we cannot follow it. */
const nextHop = (from: Outgoing, response: Response): Outgoing | undefined => {
  const location = response.headers.get("location")
  if (location === null) return undefined
  let url: URL
  try {
    url = new URL(location, from.href)
  } catch {
    return undefined
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined
  const status = response.status
  // 303 (any method but HEAD) and 301/302 after a POST become a GET without a body.
  if (
    (status === 303 && from.method !== "HEAD") ||
    ((status === 301 || status === 302) && from.method === "POST")
  ) {
    const headers = copyHeaders(from.headers)
    for (const h of [
      "content-type",
      "content-length",
      "content-encoding",
      "content-language",
      "content-location",
    ])
      delete headers[h]
    return {
      ...from,
      href: url.href,
      origin: url.origin,
      method: "GET",
      headers,
      body: undefined,
      replayable: true,
    }
  }
  // The body goes again: only when it can.
  if (from.body !== undefined && from.body !== null && !from.replayable) return undefined
  return { ...from, href: url.href, origin: url.origin }
}

const make = (options: ApiClientOptions) =>
  Effect.gen(function* () {
    const manager = yield* TokenManager
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS
    const custom = options.fetch

    /**
     * One HTTP exchange, up to the response headers. One AbortController serves the timeout,
     * the caller's signal and interruption.
     */
    const send = (out: Outgoing, headers: HeaderRecord) =>
      Effect.callback<Response, TransportError>((resume) => {
        const controller = new AbortController()
        const callerSignal = out.init.signal ?? undefined
        const ms = out.timeoutMs ?? timeoutMs
        let timedOut = false
        const timer = Number.isFinite(ms)
          ? setTimeout(() => {
              timedOut = true
              controller.abort()
            }, ms)
          : undefined
        const onCallerAbort = () => controller.abort()
        callerSignal?.addEventListener("abort", onCallerAbort, { once: true })
        const done = () => {
          clearTimeout(timer)
          callerSignal?.removeEventListener("abort", onCallerAbort)
        }
        const fail = (error: unknown) => {
          done()
          const request = describeRequest(out.method, out.href)
          const code = errorCode(error)
          resume(
            Effect.fail(
              timedOut
                ? new TransportError({
                    reason: "timeout",
                    request,
                    detail: `no answer within ${ms} ms`,
                  })
                : callerSignal?.aborted === true
                  ? new TransportError({
                      reason: "aborted",
                      request,
                      detail: "aborted by the caller's signal",
                    })
                  : new TransportError({
                      reason: "network",
                      request,
                      detail: code ?? (error instanceof Error ? error.name : "unknown failure"),
                      code,
                    }),
            ),
          )
        }
        if (callerSignal?.aborted === true) {
          fail(callerSignal.reason)
          return
        }
        try {
          ;(custom ?? globalThis.fetch)(out.href, {
            ...out.init,
            method: out.method,
            headers,
            body: out.body,
            redirect: "manual",
            signal: controller.signal,
          }).then((response) => {
            done()
            resume(Effect.succeed(response))
          }, fail)
        } catch (error) {
          fail(error)
        }
        return Effect.sync(() => {
          done()
          controller.abort()
        })
      })

    const tooManyRedirects = (response: Response) =>
      new InvalidResponse({
        status: response.status,
        contentType: response.headers.get("content-type") ?? undefined,
        reason: `more than ${maxRedirects} redirects`,
        excerpt: "",
      })

    /**
     * Sends `out` and follows its redirects. `carried` tells whether the final answer came from
     * a hop that carried the token (only such an answer can be a refusal of it). Written without a
     * generator: this is every API call's path.
     */
    const exchange = (
      provider: Provider,
      out: Outgoing,
      token: Redacted.Redacted<string>,
      authedSoFar = true,
      hop = 0,
    ): Effect.Effect<
      { readonly response: Response; readonly carried: boolean },
      TransportError | InvalidResponse
    > => {
      const authed = authedSoFar && originsOf(provider).has(out.origin)
      // The token overwrites its own header on every send (a retry included); only a request
      // that leaves the provider's origins gets a copy of the headers without credentials.
      let headers = out.headers
      if (authed) attachToken(provider, headers, token)
      else {
        headers = copyHeaders(headers)
        for (const name of credentialHeaders(provider)) delete headers[name]
      }
      return Effect.flatMap(send(out, headers), (response) => {
        const next = REDIRECTS.has(response.status) ? nextHop(out, response) : undefined
        if (next === undefined) return Effect.succeed({ response, carried: authed })
        if (hop >= maxRedirects) {
          return Effect.andThen(
            Effect.promise(() => response.body?.cancel().catch(() => undefined) ?? Promise.resolve()),
            Effect.fail(tooManyRedirects(response)),
          )
        }
        void response.body?.cancel().catch(() => undefined)
        return exchange(provider, next, token, authed, hop + 1)
      })
    }

    /** A fresh token the manager holds, without a trip through its renewal logic (the hot path). */
    const defaultKeys = new WeakMap<Provider, string>()
    const cached = (provider: Provider, o: SessionOptions): Redacted.Redacted<string> | undefined => {
      if (o.session === "") return undefined // getAccessToken refuses it with ConfigError
      if (o.session !== undefined || o.scopes !== undefined) return manager.peek(SessionKey.of(provider, o))
      // The call without a session is the common one: its key is computed once per provider.
      let key = defaultKeys.get(provider)
      if (key === undefined) {
        key = SessionKey.of(provider)
        defaultKeys.set(provider, key)
      }
      return manager.peek(key)
    }

    /** The API refused `token`: renew once, and send once more when the body allows it. */
    const afterRefusal = Effect.fnUntraced(function* (
      provider: Provider,
      first: Outgoing,
      sessionOptions: SessionOptions,
      token: Redacted.Redacted<string>,
      response: Response,
    ): Effect.fn.Return<Response, ApiError> {
      if (!first.replayable) {
        // The caller gets the refusal; the renewal still happens so that the next call works.
        yield* Effect.ignore(manager.getAccessToken(provider, { ...sessionOptions, rejected: token }))
        return response
      }
      void response.body?.cancel().catch(() => undefined)
      const renewed = yield* manager.getAccessToken(provider, { ...sessionOptions, rejected: token })
      return (yield* exchange(provider, first, renewed)).response
    })

    /** The exchange, then the dialect's rule for a refused token: the status and challenge, and for `error-flag` a small JSON body too. */
    const withToken = (
      provider: Provider,
      first: Outgoing,
      sessionOptions: SessionOptions,
      token: Redacted.Redacted<string>,
    ): Effect.Effect<Response, ApiError> =>
      Effect.flatMap(exchange(provider, first, token), ({ response, carried }) => {
        if (!carried) return Effect.succeed(response)
        if (tokenRefused(response)) return afterRefusal(provider, first, sessionOptions, token, response)
        if (provider.dialect.apiRefusal !== "error-flag") return Effect.succeed(response)
        return Effect.flatMap(
          Effect.promise(() => refusedInBody(response)),
          (refused) =>
            refused
              ? afterRefusal(provider, first, sessionOptions, token, response)
              : Effect.succeed(response),
        )
      })

    // Untraced: the API call is a hot path; the renewal it may start has its own spans.
    const fetch = (
      provider: Provider,
      input: string | URL | Request,
      init: ApiRequestInit = {},
    ): Effect.Effect<Response, ApiError> =>
      Effect.suspend(() => {
        const { session, scopes, timeoutMs: callTimeout, ...requestInit } = init
        let first: Outgoing
        try {
          first = fromInput(provider, input, requestInit, callTimeout)
        } catch (e) {
          // Not the message: a URL parser's message quotes the URL, query (and any token in it) included.
          return Effect.fail(
            e instanceof ConfigError
              ? e
              : new ConfigError({ reason: `invalid request (${e instanceof Error ? e.name : typeof e})` }),
          )
        }
        if (!originsOf(provider).has(first.origin)) {
          return Effect.fail(
            new ConfigError({
              reason: `refusing to send ${provider.id}'s access token to ${first.origin}, which is not one of its endpoints`,
            }),
          )
        }
        const sessionOptions: SessionOptions = { session, scopes }
        const token = cached(provider, sessionOptions)
        return token !== undefined
          ? withToken(provider, first, sessionOptions, token)
          : Effect.flatMap(manager.getAccessToken(provider, sessionOptions), (fresh) =>
              withToken(provider, first, sessionOptions, fresh),
            )
      })

    return ApiClient.of({ fetch: (provider, input, init) => fetch(provider, input, init) })
  })
