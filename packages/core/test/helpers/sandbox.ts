import type { Sandbox } from "@grantflow/sandbox"
import { Providers, type Provider } from "../../src/index.js"

export const HOPPER = { clientId: "hopper-app", clientSecret: "hopper-secret", redirectUri: "http://127.0.0.1/callback" }
export const FUSE = { clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars" }

export const hopperProvider = (sb: Sandbox, overrides: Partial<Parameters<typeof Providers.cryptohopper>[0]> = {}): Provider =>
  Providers.cryptohopper({
    ...HOPPER,
    endpoints: {
      authorization: sb.cryptohopper.authorizationEndpoint,
      token: sb.cryptohopper.tokenEndpoint,
      revocation: sb.cryptohopper.revocationEndpoint,
      api: sb.cryptohopper.apiBase,
    },
    ...overrides,
  })

export const fuseProvider = (sb: Sandbox, overrides: Partial<Parameters<typeof Providers.cryptofuse>[0]> = {}): Provider =>
  Providers.cryptofuse({ ...FUSE, baseUrl: sb.cryptofuse.baseUrl, ...overrides })

/** Plays the browser: follows the authorize URL to the sandbox's 302 and returns where it points. */
export const followAuthorize = async (url: string): Promise<string> => {
  const res = await fetch(url, { redirect: "manual" })
  const location = res.headers.get("location")
  await res.body?.cancel()
  if (res.status !== 302 || location === null) throw new Error(`authorize answered HTTP ${res.status}, not a redirect`)
  return location
}

/** The rejection of a promise, typed loosely for `toMatchObject`. */
export const rejectionOf = async (p: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  try {
    await p
  } catch (e) {
    return e as Error & Record<string, unknown>
  }
  throw new Error("expected the promise to reject")
}
