/**
 * The HTTP transport on ky, for apps that already set ky up (hooks, a custom `fetch`): the same
 * timeout, size cap and retry rules as the default transport, with ky's own retries and timeout
 * switched off. One ky instance is made per transport; a request only passes its own parts.
 *
 * It costs more CPU per request than the default fetch transport (ky builds a `Request` and an
 * AbortController of its own for every call), which is why it is not the default.
 *
 * @example
 * ```ts
 * import { Providers, createOAuthClient } from "@grantflow/core"
 * import { KyTransport } from "@grantflow/core/ky"
 * const client = createOAuthClient(provider, { transport: KyTransport.layer({ timeoutMs: 5_000 }) })
 * ```
 */
import * as Layer from "effect/Layer"
import ky, { type Options as KyOptions } from "ky"
import { HttpTransport, type TransportOptions } from "./Transport.js"
import { oneShotBody } from "./internal/oneShotBody.js"

/** A transport service on one ky instance. */
export const make = (options: TransportOptions = {}): HttpTransport["Service"] => {
  const client = ky.create({
    throwHttpErrors: false,
    retry: 0,
    timeout: false,
    // A token endpoint that redirects is misconfigured; following would resend credentials.
    redirect: "manual",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  // The body as a one-shot stream with Content-Length, as in the default transport: ky hands fetch
  // a Request, and fetch would replay a re-readable body on a 421.
  return HttpTransport.fromFetch(
    (url, init) =>
      client(url, { method: init.method, signal: init.signal, ...oneShotBody(init.headers, init.body) } as KyOptions),
    options,
  )
}

/** A Layer with the ky transport. */
export const layer = (options: TransportOptions = {}): Layer.Layer<HttpTransport> =>
  Layer.succeed(HttpTransport, make(options))
