/**
 * The registry of contenders per kind of work, by the names that appear in results.json. Each
 * library is imported only by the worker that runs it, so no worker pays for another's modules.
 */
import type { ApiCall, RequestToken, Target, TokenSource } from "./peers/Target.ts"

export interface CachedOptions {
  /** Set when the scenario shares tokens between processes through Redis. */
  readonly redisUrl?: string | undefined
}

/** Gets a user's access token by session key (rotation). */
export interface SessionSource {
  get: (session: string) => Promise<string>
  close?: () => Promise<void> | void
}

export interface SessionOptions {
  readonly redisUrl: string
}

/** A user's token set right after login, as the stub issued it. */
export interface SeedTokens {
  readonly access_token: string
  readonly refresh_token: string
  readonly expires_in: number
  /** When the stub issued it (ms since epoch), so expiry is computed from then. */
  readonly issuedAt: number
}

const floor = () => import("./peers/floor.ts")
const grantflow = () => import("./grantflow.ts")
const badgateway = () => import("./peers/badgateway.ts")
const uncached = async (request: Promise<RequestToken>): Promise<TokenSource> => ({ get: await request })

/** One uncached client-credentials request (cold_request). */
export const requestImpls: Record<string, (t: Target) => Promise<RequestToken>> = {
  "raw-fetch": async (t) => (await floor()).rawFetch(t),
  "undici.request": async (t) => (await floor()).undici(t),
  grantflow: async (t) => (await grantflow()).requestToken(t),
  oauth4webapi: async (t) => (await import("./peers/oauth4webapi.ts")).oauth4webapi(t),
  "openid-client": async (t) => (await import("./peers/openidClient.ts")).openidClient(t),
  "simple-oauth2": async (t) => (await import("./peers/simpleOauth2.ts")).simpleOauth2(t),
  "@badgateway/oauth2-client": async (t) => (await badgateway()).badgateway(t),
}

/** An authenticated API call with a cached token (api_call): grantflow's `fetch` against the floor. */
export const apiImpls: Record<string, (t: Target) => Promise<ApiCall>> = {
  "raw-fetch": async (t) => (await floor()).rawFetchApi(t),
  "raw-fetch+timeout": async (t) => (await floor()).rawFetchApiWithTimeout(t),
  grantflow: async (t) => (await grantflow()).apiCall(t),
}

/**
 * A token source as each library offers it (hot_path, herds). Peers without a token cache are
 * used as their READMEs show: each caller requests its own token.
 */
export const sourceImpls: Record<string, (t: Target, o: CachedOptions) => Promise<TokenSource>> = {
  "cached-promise": async (t) => (await floor()).cachedPromise(t),
  grantflow: async (t, o) => (await grantflow()).tokenSource(t, o),
  "@badgateway/oauth2-client": async (t) => (await badgateway()).badgatewayFetch(t),
  oauth4webapi: (t) => uncached(requestImpls.oauth4webapi!(t)),
  "openid-client": (t) => uncached(requestImpls["openid-client"]!(t)),
  "simple-oauth2": (t) => uncached(requestImpls["simple-oauth2"]!(t)),
}

/** Many user sessions in one process, in memory (expiry_storm). */
export interface StormSource {
  /** Stores every session's login tokens; resolves when they are all stored. */
  seed: (sessions: Record<string, SeedTokens>) => Promise<void>
  get: (session: string) => Promise<string>
  close: () => Promise<void>
}

export const stormImpls: Record<string, (t: Target) => Promise<StormSource>> = {
  grantflow: async (t) => (await grantflow()).stormSource(t, undefined),
  // The same client with no bound on concurrent renewals: what a storm did before the bound.
  "grantflow-unbounded": async (t) => (await grantflow()).stormSource(t, 1_000_000),
}

/** User sessions shared through Redis (rotation). */
export const sessionImpls: Record<
  string,
  {
    /** Writes the sessions' first token sets where the workers will find them. */
    seed: (t: Target, o: SessionOptions, sessions: Record<string, SeedTokens>) => Promise<void>
    make: (t: Target, o: SessionOptions) => Promise<SessionSource>
  }
> = {
  grantflow: {
    seed: async (t, o, s) => (await grantflow()).seedSessions(t, o, s),
    make: async (t, o) => (await grantflow()).sessionSource(t, o),
  },
  "@badgateway/oauth2-client": {
    seed: async (t, o, s) => (await badgateway()).seedBadgatewaySessions(t, o, s),
    make: async (t, o) => (await badgateway()).badgatewaySessions(t, o),
  },
}
