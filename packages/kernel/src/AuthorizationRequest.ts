/** The authorization request URL (RFC 6749 §4.1.1, with PKCE per RFC 7636 §4.3). */

export interface AuthorizationRequestParts {
  readonly endpoint: string
  readonly clientId: string
  /** Sent exactly as given: the token request must repeat it byte for byte. */
  readonly redirectUri: string
  readonly scopes: ReadonlyArray<string>
  /** How the server joins scopes (`" "` per RFC 6749; some providers use `","`). */
  readonly scopeDelimiter: string
  readonly state: string
  /** The PKCE challenge and its method; omitted when the server takes no PKCE. */
  readonly codeChallenge?: string | undefined
  readonly codeChallengeMethod?: "S256" | "plain" | undefined
  /** More parameters (`audience`, `prompt`, ...); they cannot replace the ones above. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined
}

/** The parameters `extraParams` may not set: they carry the request's security. */
export const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
])

/** The URL to send the user to. The scope is left out when there are none. */
export const authorizationUrl = (parts: AuthorizationRequestParts): string => {
  const url = new URL(parts.endpoint)
  const params = url.searchParams
  params.set("response_type", "code")
  params.set("client_id", parts.clientId)
  params.set("redirect_uri", parts.redirectUri)
  if (parts.scopes.length > 0) params.set("scope", parts.scopes.join(parts.scopeDelimiter))
  params.set("state", parts.state)
  if (parts.codeChallenge !== undefined) {
    params.set("code_challenge", parts.codeChallenge)
    params.set("code_challenge_method", parts.codeChallengeMethod ?? "S256")
  }
  for (const [key, value] of Object.entries(parts.extraParams ?? {}))
    if (!RESERVED_PARAMS.has(key)) params.set(key, value)
  return url.toString()
}
