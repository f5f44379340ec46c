import { createHash, randomBytes } from "node:crypto"
import type { Sandbox } from "../src/index.js"

/** The default Cryptohopper client's credentials and first redirect URI. */
export const HOPPER = {
  clientId: "hopper-app",
  clientSecret: "hopper-secret",
  redirectUri: "http://127.0.0.1/callback",
} as const

/** The default Cryptofuse client's credentials. */
export const FUSE = { clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars" } as const

/** RFC 6749 §2.3.1: each part form-urlencoded, then base64. */
export const basic = (id: string, secret: string): string => {
  const encode = (s: string) => new URLSearchParams({ s }).toString().slice(2)
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`
}

/** A fresh PKCE verifier and its S256 challenge. */
export const pkcePair = () => {
  const verifier = randomBytes(32).toString("base64url")
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") }
}

/** Calls the authorize endpoint without following the redirect. */
export const authorize = async (sb: Sandbox, params: Record<string, string>) => {
  const url = new URL(sb.cryptohopper.authorizationEndpoint)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const res = await fetch(url, { redirect: "manual" })
  const location = res.headers.get("location")
  return { res, location: location === null ? undefined : new URL(location), text: await res.text() }
}

/** Default authorize parameters for the default Cryptohopper client. */
export const authorizeParams = (extra: Record<string, string> = {}): Record<string, string> => ({
  client_id: HOPPER.clientId,
  response_type: "code",
  redirect_uri: HOPPER.redirectUri,
  state: "state-123",
  scope: "read,trade",
  ...extra,
})

/** Gets an authorization code with consent set to "approve". */
export const getCode = async (sb: Sandbox, extra: Record<string, string> = {}): Promise<string> => {
  const { location } = await authorize(sb, authorizeParams(extra))
  const code = location?.searchParams.get("code")
  if (!code) throw new Error(`no code in ${location?.href}`)
  return code
}

/** POSTs a JSON body (Cryptohopper's documented format) to its token endpoint. */
export const hopperTokenJson = async (
  sb: Sandbox,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(sb.cryptohopper.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  })
  return { res, json: (await res.json()) as Record<string, unknown> }
}

/** POSTs a form to a URL and parses the JSON answer (undefined for an empty body). */
export const postForm = async (
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(url, { method: "POST", headers, body: new URLSearchParams(form) })
  const text = await res.text()
  return {
    res,
    text,
    json: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> | undefined,
  }
}

/** Exchanges a fresh code for tokens with the default client. */
export const hopperTokens = async (sb: Sandbox, extra: Record<string, string> = {}) => {
  const code = await getCode(sb, extra)
  const { res, json } = await hopperTokenJson(sb, {
    client_id: HOPPER.clientId,
    client_secret: HOPPER.clientSecret,
    grant_type: "authorization_code",
    redirect_uri: HOPPER.redirectUri,
    code,
  })
  if (res.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(json)}`)
  return json as {
    access_token: string
    refresh_token: string
    expires_in: number
    scope: string | null
    token_type: string
  }
}

/** A Cryptofuse client-credentials token for the default client. */
export const fuseToken = async (sb: Sandbox, scope?: string): Promise<string> => {
  const { res, json } = await postForm(
    sb.cryptofuse.tokenEndpoint,
    { grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) },
    { authorization: basic(FUSE.clientId, FUSE.clientSecret) },
  )
  if (res.status !== 200) throw new Error(`client credentials failed: ${JSON.stringify(json)}`)
  return json!.access_token as string
}
