/**
 * The pieces every test needs around a real sandbox: a Cryptohopper provider pointed at it, the
 * app's callback URL registered for hopper-app, and a verify that proves the token works by
 * fetching the sandbox user with it.
 */
import { Providers, type Provider, type TokenSet } from "@grantflow/core"
import type { Sandbox } from "@grantflow/sandbox"
import * as Redacted from "effect/Redacted"

export const CLIENT_ID = "hopper-app"
export const CLIENT_SECRET = "hopper-secret"

/** Adds `callbackURL` to hopper-app's registered redirect URIs. */
export const registerCallback = (sb: Sandbox, callbackURL: string): void => {
  const current = sb.clients.find((c) => c.clientId === CLIENT_ID)
  const redirectUris = [...(current?.redirectUris ?? []), callbackURL]
  sb.updateClient(CLIENT_ID, { redirectUris })
}

export const hopperProvider = (sb: Sandbox, redirectUri?: string): Provider =>
  Providers.cryptohopper({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri,
    endpoints: {
      authorization: sb.cryptohopper.authorizationEndpoint,
      token: sb.cryptohopper.tokenEndpoint,
      api: sb.cryptohopper.apiBase,
    },
  })

/** What the test apps keep as the logged-in user. */
export interface HopperUser {
  readonly id: number
  readonly username: string
  readonly scopes: ReadonlyArray<string>
  readonly tokenType: string
  readonly hasRefreshToken: boolean
}

/** Calls the sandbox API with the access token, Cryptohopper's way, and builds the app's user from the answer. */
export const userFromTokens = async (sb: Sandbox, tokens: TokenSet): Promise<HopperUser> => {
  const res = await fetch(`${sb.cryptohopper.apiBase}/user/get`, {
    headers: { "access-token": Redacted.value(tokens.accessToken) },
    signal: AbortSignal.timeout(5_000),
  })
  if (!res.ok) throw new Error(`The sandbox API refused the token: HTTP ${res.status}`)
  const body = (await res.json()) as { data: { user: { id: number; username: string } } }
  return {
    id: body.data.user.id,
    username: body.data.user.username,
    scopes: tokens.scopes,
    tokenType: tokens.tokenType,
    hasRefreshToken: tokens.refreshToken !== undefined,
  }
}
