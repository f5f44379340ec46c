import type { SandboxClient } from "../Clients.js"
import type { PkceMethod } from "../Pkce.js"

/** A validated Cryptohopper authorization request, waiting for (or given) the user's decision. */
export interface AuthorizationRequest {
  readonly client: SandboxClient
  readonly redirectUri: string
  readonly redirectUriSent: boolean
  readonly scopes: ReadonlyArray<string>
  readonly state: string | undefined
  readonly codeChallenge: string | undefined
  readonly codeChallengeMethod: PkceMethod | undefined
}
