/** What every contender is given, and the shapes of what it gives back. */

/** Where the stub listens; every worker gets this. */
export interface Target {
  readonly url: string
  readonly tokenEndpoint: string
}

/** One uncached client-credentials token request; resolves to the access token. */
export type RequestToken = () => Promise<string>

/** One authenticated API call (GET /resource with a token), body read; resolves to the status. */
export type ApiCall = () => Promise<number>

/** A cached token source: what hot_path and the herds call. */
export interface TokenSource {
  get: () => Promise<string>
  close?: () => void
}

/** Peers with no token cache: each caller requests its own token, as their READMEs show. */
export const uncached = (request: RequestToken): TokenSource => ({ get: request })

/** The access token of a token endpoint's JSON answer; throws when there is none. */
export const accessTokenOf = (json: unknown): string => {
  const token = (json as { access_token?: unknown } | null)?.access_token
  if (typeof token !== "string") throw new Error("token response without access_token")
  return token
}
