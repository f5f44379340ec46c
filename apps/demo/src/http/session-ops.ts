/** Promise versions of the session operations the controllers need. */
import type { Request } from "express"
import type { Flash, HopperUser } from "./session-data.js"

/** Queues a message for the next page. */
export const flash = (req: Request, kind: Flash["kind"], text: string): void => {
  req.session.flash = { kind, text }
}

/** The queued message, removed from the session. */
export const takeFlash = (req: Request): Flash | undefined => {
  const message = req.session.flash
  delete req.session.flash
  return message
}

/**
 * Logs the connection in. Passport gives the session a new id first (no session fixation);
 * `keepSessionInfo` carries the rest of the session (the message for the page) over.
 */
export const logIn = (req: Request, user: HopperUser): Promise<void> =>
  new Promise((resolve, reject) =>
    req.logIn(user, { session: true, keepSessionInfo: true }, (err: unknown) =>
      err ? reject(err) : resolve(),
    ),
  )

/** Ends the connection in this session (the session id changes, the rest of the session stays). */
export const logOut = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => {
    req.logOut({ keepSessionInfo: true }, (err: unknown) => (err ? reject(err) : resolve()))
  })
