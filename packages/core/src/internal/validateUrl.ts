import { ConfigError } from "../Errors.js"

const isLoopback = (hostname: string): boolean => {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "")
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(?:\.\d{1,3}){3}$/.test(h)
}

export interface UrlRules {
  /** Permit plain `http` to a host that is not loopback (never do this in production). */
  readonly allowInsecureHttp?: boolean | undefined
  /** Redirect URIs may use a private scheme (`com.example.app:/cb`, RFC 8252). */
  readonly allowCustomScheme?: boolean | undefined
}

/** Checks one configured URL; throws ConfigError naming the setting, never echoing a query string. */
export const validateUrl = (name: string, value: string | undefined, rules: UrlRules = {}): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigError({ reason: `${name} must be a non-empty URL string` })
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError({ reason: `${name} is not a valid absolute URL` })
  }
  if (url.hash !== "") throw new ConfigError({ reason: `${name} must not contain a fragment` })
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError({ reason: `${name} must not contain credentials` })
  }
  if (url.protocol === "https:") return value
  if (url.protocol === "http:") {
    if (isLoopback(url.hostname) || rules.allowInsecureHttp === true) return value
    throw new ConfigError({
      reason: `${name} uses plain http to ${url.hostname}, which is not loopback; use https (or set allowInsecureHttp for a test setup)`,
    })
  }
  // RFC 8252 §7.1: native apps use private-use (reverse-domain) schemes; never script or file schemes.
  if (
    rules.allowCustomScheme === true &&
    /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)
  )
    return value
  throw new ConfigError({ reason: `${name} must be an https URL (got ${url.protocol.replace(/:$/, "")})` })
}

export const requireNonEmpty = (name: string, value: unknown): string => {
  if (typeof value !== "string" || value.trim().length === 0) {
    throw new ConfigError({ reason: `${name} is required` })
  }
  return value
}
