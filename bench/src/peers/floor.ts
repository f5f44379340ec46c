/**
 * The hand-written floors: a form POST with raw `fetch`, the same with `undici.request`, and the
 * cached-promise baseline a careful developer writes by hand.
 */
import { request as undiciRequest } from "undici"
import { CLIENT_ID, CLIENT_SECRET } from "../stubServer.ts"
import { accessTokenOf, type ApiCall, type RequestToken, type Target, type TokenSource } from "./Target.ts"

const basic = `Basic ${btoa(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`)}`
const formHeaders = {
  "content-type": "application/x-www-form-urlencoded",
  accept: "application/json",
  authorization: basic,
}

/** The floor: a hand-written form POST with `fetch` and a JSON parse. */
export const rawFetch = (t: Target): RequestToken => {
  return async () => {
    const res = await fetch(t.tokenEndpoint, {
      method: "POST",
      headers: formHeaders,
      body: "grant_type=client_credentials",
    })
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`)
    return accessTokenOf(await res.json())
  }
}

/** The other floor: the same request with `undici.request` (no WHATWG fetch layer). */
export const undici = (t: Target): RequestToken => {
  return async () => {
    const { statusCode, body } = await undiciRequest(t.tokenEndpoint, {
      method: "POST",
      headers: formHeaders,
      body: "grant_type=client_credentials",
    })
    if (statusCode !== 200) {
      await body.dump()
      throw new Error(`token endpoint answered ${statusCode}`)
    }
    return accessTokenOf(await body.json())
  }
}

/**
 * The hand-written baseline a careful developer writes: one cached promise, replaced when the
 * token is within a minute of expiry. A failed request is not cached.
 */
export const cachedPromise = (t: Target): TokenSource => {
  type Cached = { readonly token: string; readonly expiresAt: number }
  const fetchToken = async (): Promise<Cached> => {
    const res = await fetch(t.tokenEndpoint, {
      method: "POST",
      headers: formHeaders,
      body: "grant_type=client_credentials",
    })
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`)
    const json = (await res.json()) as { access_token: string; expires_in: number }
    return { token: accessTokenOf(json), expiresAt: Date.now() + json.expires_in * 1000 }
  }
  let p: Promise<Cached> | undefined
  const refresh = () => {
    const next = fetchToken()
    p = next
    next.catch(() => {
      if (p === next) p = undefined
    })
    return next
  }
  return {
    get: async () => {
      const current = p ?? refresh()
      const cached = await current
      if (cached.expiresAt - 60_000 > Date.now()) return cached.token
      // Only the first caller to see the stale token replaces it; the others share its request.
      return (await (p === current || p === undefined ? refresh() : p)).token
    },
  }
}

/** The api_call floor: one token fetched up front, then plain `fetch` with the same header. */
export const rawFetchApi = async (t: Target): Promise<ApiCall> => {
  const headers = { authorization: `Bearer ${await rawFetch(t)()}` }
  return async () => {
    const res = await fetch(`${t.url}/resource`, { headers })
    await res.arrayBuffer()
    return res.status
  }
}

/**
 * The same with the one thing a safe API call cannot do without: a timeout, as an AbortSignal
 * cleared on the answer (what grantflow's call does). It shows what the signal itself costs in fetch.
 */
export const rawFetchApiWithTimeout = async (t: Target): Promise<ApiCall> => {
  const headers = { authorization: `Bearer ${await rawFetch(t)()}` }
  return async () => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), 10_000)
    const res = await fetch(`${t.url}/resource`, { headers, signal: controller.signal })
    clearTimeout(timer)
    await res.arrayBuffer()
    return res.status
  }
}
