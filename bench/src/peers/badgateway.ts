/** @badgateway/oauth2-client: its `OAuth2Client`, and its token manager `OAuth2Fetch`. */
import { OAuth2Client, OAuth2Fetch, type OAuth2Token } from "@badgateway/oauth2-client"
import { createClient } from "redis"
import type { SeedTokens } from "../impls.ts"
import { CLIENT_ID, CLIENT_SECRET } from "../stubServer.ts"
import type { RequestToken, Target, TokenSource } from "./Target.ts"

const badgatewayClient = (t: Target) =>
  new OAuth2Client({
    server: t.url,
    tokenEndpoint: "/token",
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
  })

/** @badgateway/oauth2-client: `client.clientCredentials()`. */
export const badgateway = (t: Target): RequestToken => {
  const client = badgatewayClient(t)
  return async () => (await client.clientCredentials()).accessToken
}

/**
 * @badgateway/oauth2-client's token manager, `OAuth2Fetch`, as its README wires it for client
 * credentials; `getAccessToken()` caches and lets one refresh run at a time.
 */
export const badgatewayFetch = (t: Target): TokenSource => {
  const client = badgatewayClient(t)
  const wrapper = new OAuth2Fetch({ client, getNewToken: () => client.clientCredentials() })
  return { get: () => wrapper.getAccessToken() }
}

const sessionKey = (session: string) => `bench:badgateway:${session}`

/** Stores the sessions' first tokens in Redis, where `badgatewaySessions` reads them. */
export const seedBadgatewaySessions = async (
  _t: Target,
  o: { readonly redisUrl: string },
  sessions: Record<string, SeedTokens>,
): Promise<void> => {
  const redis = await createClient({ url: o.redisUrl })
    .on("error", () => {})
    .connect()
  for (const [session, tokens] of Object.entries(sessions)) {
    const stored: OAuth2Token = {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: tokens.issuedAt + tokens.expires_in * 1000,
    }
    await redis.set(sessionKey(session), JSON.stringify(stored))
  }
  await redis.close()
}

/**
 * User sessions with @badgateway/oauth2-client across processes, the way its README persists
 * tokens: one `OAuth2Fetch` per session, `getStoredToken` reading the shared store when it is
 * created and `storeToken` writing every new token back. It has no cross-process lock, so each
 * process refreshes on its own. A user session cannot get a new token without a login, so
 * `getNewToken` has none to give.
 */
export const badgatewaySessions = async (t: Target, o: { readonly redisUrl: string }) => {
  const redis = await createClient({ url: o.redisUrl })
    .on("error", () => {})
    .connect()
  const client = badgatewayClient(t)
  const wrappers = new Map<string, OAuth2Fetch>()
  return {
    get: (session: string): Promise<string> => {
      let wrapper = wrappers.get(session)
      if (wrapper === undefined) {
        const key = sessionKey(session)
        wrapper = new OAuth2Fetch({
          client,
          getNewToken: () => null,
          getStoredToken: async () => {
            const stored = await redis.get(key)
            return stored === null ? null : (JSON.parse(stored) as OAuth2Token)
          },
          storeToken: (token) => {
            void redis.set(key, JSON.stringify(token))
          },
        })
        wrappers.set(session, wrapper)
      }
      return wrapper.getAccessToken()
    },
    close: async () => {
      await redis.close()
    },
  }
}
