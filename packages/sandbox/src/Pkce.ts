import { createHash } from "node:crypto"

/** The PKCE methods RFC 7636 defines. */
export type PkceMethod = "S256" | "plain"

/** RFC 7636 §4.1/§4.2: 43 to 128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/

/** Whether a code_verifier or code_challenge has the shape RFC 7636 requires. */
export const isPkceValue = (value: string): boolean => PKCE_VALUE.test(value)

/** Whether `verifier` answers `challenge` under `method`. */
export const verifyPkce = (verifier: string, challenge: string, method: PkceMethod): boolean => {
  if (!isPkceValue(verifier)) return false
  const derived =
    method === "S256" ? createHash("sha256").update(verifier, "ascii").digest("base64url") : verifier
  return derived === challenge
}
