/**
 * Where to send the browser after a login: only a path on this same origin. Anything else
 * (`https://evil.example`, `//evil.example`, `/\evil.example`, `javascript:`) is an open
 * redirect and falls back to the home page.
 */

const PROBE_ORIGIN = "http://demo.invalid"

const isUnsafeInPath = (c: string): boolean =>
  c === "\\" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f

/** `value` when it is a same-origin path (with its query and fragment), else undefined. */
export const safeReturnTo = (value: unknown): string | undefined => {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return undefined
  // Browsers treat `\` as `/`, so `/\host` is protocol-relative; control characters get stripped.
  if (!value.startsWith("/") || value.startsWith("//") || [...value].some(isUnsafeInPath)) return undefined
  let url: URL
  try {
    url = new URL(value, PROBE_ORIGIN)
  } catch {
    return undefined
  }
  if (url.origin !== PROBE_ORIGIN) return undefined
  return `${url.pathname}${url.search}${url.hash}`
}
