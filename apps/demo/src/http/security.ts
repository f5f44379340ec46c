/**
 * Headers and checks every answer of the demo gets: a strict Content-Security-Policy (no inline
 * code; forms may only go to this app and to the provider's consent page), no caching of pages
 * or JSON that describe tokens, and state-changing requests refused when a browser says they
 * come from another origin (on top of the SameSite=Lax session cookie).
 */
import type { NextFunction, Request, Response } from "express"

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

/** `authorizationOrigins`: where the Connect form's redirect may lead (CSP `form-action`). */
export const securityHeaders = (authorizationOrigins: ReadonlyArray<string>) => {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    `form-action 'self' ${authorizationOrigins.join(" ")}`.trim(),
  ].join("; ")
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader("content-security-policy", csp)
    res.setHeader("x-content-type-options", "nosniff")
    res.setHeader("x-frame-options", "DENY")
    // The callback URL carries the authorization code: no Referer to other sites. Not
    // `no-referrer`: with it browsers send `Origin: null` on form posts, and the check below needs the origin.
    res.setHeader("referrer-policy", "same-origin")
    res.setHeader("cache-control", "no-store")
    next()
  }
}

/**
 * Refuses a state-changing request whose `Origin` (sent by browsers on every POST) is not this
 * app's own. Requests without `Origin` (curl, scripts) pass: they carry no victim's cookie.
 */
export const sameOriginWrites = (req: Request, res: Response, next: NextFunction): void => {
  if (SAFE_METHODS.has(req.method)) return next()
  const origin = req.get("origin")
  if (origin === undefined || origin === `${req.protocol}://${req.get("host")}`) return next()
  res.status(403).json({ statusCode: 403, error: "Forbidden", message: "Cross-origin request refused" })
}
