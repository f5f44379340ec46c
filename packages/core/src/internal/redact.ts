/**
 * Scrubbing of server-controlled text before it goes into an error: a broken token response
 * is exactly where an access token, refresh token or echoed client secret shows up.
 */

const SECRET_KEYS = "access_token|refresh_token|id_token|device_code|code|client_secret|code_verifier|assertion|password|token"

// JSON `"key": "value"`, also when truncated before the closing quote.
const jsonKeyValue = new RegExp(`("(?:${SECRET_KEYS})"\\s*:\\s*)"[^"]*"?`, "gi")
// Form / query `key=value`.
const formKeyValue = new RegExp(`(^|[?&\\s])((?:${SECRET_KEYS})=)[^&\\s"]*`, "gi")
// Anything that looks like a token value: a long run of base64url-ish characters.
const longRun = /[A-Za-z0-9_\-+/=.~%]{24,}/g

const REDACTED = "<redacted>"

/** Replaces every spelling (as is, URL-encoded, JSON-escaped) of the given secrets, and nothing else. */
export const redactKnownSecrets = (text: string, knownSecrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of knownSecrets) {
    if (secret.length < 4) continue
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      out = out.split(form).join(REDACTED)
    }
  }
  return out
}

export const redactText = (text: string, knownSecrets: ReadonlyArray<string> = []): string =>
  redactKnownSecrets(text, knownSecrets)
    .replace(jsonKeyValue, `$1"${REDACTED}"`)
    .replace(formKeyValue, `$1$2${REDACTED}`)
    .replace(longRun, (run) => (/[0-9]/.test(run) || run.length >= 32 ? REDACTED : run))

const EXCERPT_LENGTH = 160

/** The first characters of a body, scrubbed, on one line. Scrubbed before cutting, so a cut cannot expose a shortened secret. */
export const excerpt = (body: string, knownSecrets: ReadonlyArray<string> = []): string => {
  const head = body.length > 64 * 1024 ? body.slice(0, 64 * 1024) : body
  const clean = redactText(head, knownSecrets).replace(/\s+/g, " ").trim()
  return clean.length > EXCERPT_LENGTH ? clean.slice(0, EXCERPT_LENGTH) + "…" : clean
}
