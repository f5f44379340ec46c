/**
 * `client.api`: a ky instance for the provider's API over the authenticated fetch. ky is an
 * optional peer dependency and is loaded here, on first use of `api`, never when
 * `@grantflow/core` is imported (require(esm) through `process.getBuiltinModule`, Node).
 */
import type { KyInstance } from "ky"
import { ConfigError, TransportError } from "../Errors.js"
import type { Provider } from "../Provider.js"

/** The authenticated fetch `api` calls: the client's `fetch` (with a per-call timeout override). */
export type AuthenticatedFetch = (
  input: string,
  init: RequestInit & { readonly timeoutMs?: number | undefined },
) => Promise<Response>

// Looked up at run time, not imported: a static `node:module` import would make every bundle of
// core (browsers, workers) need a shim for a module only `client.api` uses.
type NodeModule = { createRequire: (from: string) => (id: string) => unknown }
const nodeModule = (): NodeModule | undefined =>
  (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process?.getBuiltinModule?.("node:module") as NodeModule | undefined

const loadKy = (): KyInstance => {
  try {
    const node = nodeModule()
    if (node === undefined) throw new Error("this runtime has no process.getBuiltinModule to require() ky with")
    const mod = node.createRequire(import.meta.url)("ky") as { default: KyInstance }
    return mod.default
  } catch (e) {
    throw new ConfigError({
      reason: `client.api needs ky, an optional peer dependency of @grantflow/core: install ky (^2.1.0) (${e instanceof Error ? e.message : String(e)})`,
    })
  }
}

/**
 * A ky instance whose `prefix` is the provider's API base and whose `fetch` is the authenticated
 * one. ky's timeout and retries apply (idempotent methods only; a `TransportError` "network" counts
 * as ky's network error); our own per-hop timeout is switched off for these calls so that exactly
 * one timeout, ky's, fires.
 */
export const makeKyApi = (provider: Provider, fetch: AuthenticatedFetch, timeoutMs: number): KyInstance =>
  loadKy().create({
    ...(provider.endpoints.api === undefined ? {} : { prefix: provider.endpoints.api }),
    timeout: timeoutMs,
    retry: {
      shouldRetry: ({ error }) =>
        error instanceof TransportError && error.reason === "network" ? true : undefined,
    },
    fetch: async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init)
      // ky hands over a Request whose body is a stream; as bytes it can be sent again after a
      // refused token (ky itself keeps a copy for its retries already).
      const body = request.body === null ? undefined : await request.arrayBuffer()
      return fetch(request.url, {
        ...(input instanceof Request ? init : {}),
        method: request.method,
        headers: request.headers,
        body,
        signal: request.signal,
        timeoutMs: Number.POSITIVE_INFINITY,
      })
    },
  })
