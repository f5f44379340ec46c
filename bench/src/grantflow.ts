/**
 * grantflow's entries, wired through its public Promise facade exactly as a user would:
 * `createOAuthClient(Providers.generic({...}))`, with `@grantflow/redis` stores (`redisStores`
 * over a node-redis client) where the scenario shares tokens between processes. A token is
 * revealed with `Redacted.value`, as a user must do to put it in a request.
 *
 * The packages are imported lazily so that, while an API is not built yet, the scenario reports
 * grantflow as pending instead of a number.
 */
import * as Redacted from "effect/Redacted"
import { createClient } from "redis"
import { Pending } from "./Pending.ts"
import type { CachedOptions, SeedTokens, SessionOptions, SessionSource } from "./impls.ts"
import type { ApiCall, RequestToken, Target, TokenSource } from "./peers/Target.ts"
import { CLIENT_ID, CLIENT_SECRET } from "./stubServer.ts"

type Core = typeof import("@grantflow/core")
type Redis = typeof import("@grantflow/redis")

const loadCore = async (): Promise<Core> => {
  let core: Core
  try {
    core = await import("@grantflow/core")
  } catch (e) {
    throw new Pending(`@grantflow/core could not be loaded (built?): ${(e as Error).message.split("\n")[0]}`)
  }
  if (typeof core.createOAuthClient !== "function")
    throw new Pending("@grantflow/core has no createOAuthClient yet")
  return core
}

const loadRedis = async (): Promise<Redis> => {
  let redis: Redis
  try {
    redis = await import("@grantflow/redis")
  } catch (e) {
    throw new Pending(`@grantflow/redis could not be loaded (built?): ${(e as Error).message.split("\n")[0]}`)
  }
  if (typeof redis.redisStores !== "function") throw new Pending("@grantflow/redis has no redisStores yet")
  return redis
}

const provider = (core: Core, t: Target) =>
  core.Providers.generic({
    tokenEndpoint: t.tokenEndpoint,
    apiBase: t.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grant: "client_credentials",
  })

/** A grantflow client whose stores live in Redis; `close` disposes it and ends the connection. */
const clientOnRedis = async (t: Target, url: string) => {
  const [core, redis] = await Promise.all([loadCore(), loadRedis()])
  const connection = await createClient({ url })
    .on("error", () => {})
    .connect()
  const stores = redis.redisStores(connection)
  const client = core.createOAuthClient(provider(core, t), stores)
  return {
    core,
    client,
    close: async () => {
      await client.dispose()
      await stores.refreshLock.close()
      await connection.close()
    },
  }
}

/** `client.clientCredentials()`: one uncached token request (cold_request). */
export const requestToken = async (t: Target): Promise<RequestToken> => {
  const core = await loadCore()
  const client = core.createOAuthClient(provider(core, t))
  return async () => Redacted.value((await client.clientCredentials()).accessToken)
}

/** `client.getAccessToken()`: cached, single-flight; through Redis when the scenario says so. */
export const tokenSource = async (t: Target, o: CachedOptions): Promise<TokenSource> => {
  if (o.redisUrl !== undefined) {
    const { client, close } = await clientOnRedis(t, o.redisUrl)
    return { get: async () => Redacted.value(await client.getAccessToken()), close: () => void close() }
  }
  const core = await loadCore()
  const client = core.createOAuthClient(provider(core, t))
  return {
    get: async () => Redacted.value(await client.getAccessToken()),
    close: () => void client.dispose(),
  }
}

/** A user's login token set as core's setSession takes it (decodeTokenSet is core's storage format). */
const loginTokens = (core: Core, tokens: SeedTokens) =>
  core.decodeTokenSet(
    JSON.stringify({
      accessToken: tokens.access_token,
      tokenType: "Bearer",
      expiresAt: tokens.issuedAt + tokens.expires_in * 1000,
      refreshToken: tokens.refresh_token,
      scopes: ["read"],
      raw: {},
    }),
  )

/**
 * One process with many users' sessions in the default memory stores (expiry_storm):
 * `client.setSession` at login, `client.getAccessToken({ session })` per call.
 * `maxConcurrentRenewals` left undefined is the default bound.
 */
export const stormSource = async (t: Target, maxConcurrentRenewals: number | undefined) => {
  const core = await loadCore()
  const client = core.createOAuthClient(provider(core, t), {
    tokenManager: maxConcurrentRenewals === undefined ? undefined : { maxConcurrentRenewals },
  })
  return {
    seed: async (sessions: Record<string, SeedTokens>) => {
      for (const [session, tokens] of Object.entries(sessions))
        await client.setSession(session, loginTokens(core, tokens))
    },
    get: async (session: string) => Redacted.value(await client.getAccessToken({ session })),
    close: () => client.dispose(),
  }
}

/** Stores each user's token set from "login" with `client.setSession`, in the shared Redis. */
export const seedSessions = async (
  t: Target,
  o: SessionOptions,
  sessions: Record<string, SeedTokens>,
): Promise<void> => {
  const { core, client, close } = await clientOnRedis(t, o.redisUrl)
  for (const [session, tokens] of Object.entries(sessions))
    await client.setSession(session, loginTokens(core, tokens))
  await close()
}

/** `client.getAccessToken({ session })` over Redis stores: what every process of an app would do. */
export const sessionSource = async (t: Target, o: SessionOptions): Promise<SessionSource> => {
  const { client, close } = await clientOnRedis(t, o.redisUrl)
  return { get: async (session) => Redacted.value(await client.getAccessToken({ session })), close }
}

/** `client.fetch("/resource")` with the token cached (api_call): the token is fetched before timing. */
export const apiCall = async (t: Target): Promise<ApiCall> => {
  const core = await loadCore()
  const client = core.createOAuthClient(provider(core, t))
  await client.getAccessToken()
  return async () => {
    const res = await client.fetch("/resource")
    await res.arrayBuffer()
    return res.status
  }
}
