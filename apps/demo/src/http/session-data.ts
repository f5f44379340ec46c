/**
 * What the demo keeps in a browser's server-side session (express-session): which Cryptohopper
 * connection belongs to it, where to land after the login, and a one-shot message for the page.
 * Tokens are not here: they live in the TokenStore, under a random connection id.
 */

/** Passport's user for this demo: a Cryptohopper connection, identified by a random id. */
export interface HopperUser {
  /** The TokenStore session id of this connection (a random UUID, never shown to the browser). */
  readonly connection: string
  readonly connectedAt: string
}

/** A message shown once on the next page (`GET /api/flash`). */
export interface Flash {
  readonly kind: "info" | "error"
  readonly text: string
}

declare module "express-session" {
  interface SessionData {
    flash?: Flash
    returnTo?: string
  }
}

declare global {
  // Passport types `req.user` as `Express.User`; the demo's users are connections.
  namespace Express {
    interface User extends HopperUser {}
  }
}

/** Whether a session's deserialized user has the demo's shape (sessions can outlive code changes). */
export const isHopperUser = (u: unknown): u is HopperUser =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as HopperUser).connection === "string" &&
  typeof (u as HopperUser).connectedAt === "string"
