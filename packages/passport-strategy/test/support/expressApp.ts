/**
 * An Express 5 app that logs people in with GrantflowStrategy, the way the README tells users
 * to: express-session, passport.initialize + passport.session, a login route and a callback
 * route with failureRedirect / failureMessage, and an error handler for `next(err)`.
 */
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import express, { type NextFunction, type Request, type Response } from "express"
import session from "express-session"
import passport from "passport"
import { GrantflowStrategy } from "../../src/index.js"

export interface ExpressAppOptions {
  /** Builds the strategy once the app's callback URL is known. */
  readonly strategy: (callbackURL: string) => GrantflowStrategy
  /** A session store shared with another app (another instance of the same service); none means no sessions at all. */
  readonly sessions: { readonly store: session.Store } | "none"
  /** Use the port of an app that was closed, so its callback URL stays registered. */
  readonly port?: number
}

export interface RunningExpressApp {
  readonly url: string
  readonly port: number
  readonly loginUrl: string
  readonly callbackURL: string
  readonly strategy: GrantflowStrategy
  close(): Promise<void>
}

export const startExpressApp = async (options: ExpressAppOptions): Promise<RunningExpressApp> => {
  const app = express()
  const authenticator = new passport.Passport()
  const withSessions = options.sessions !== "none"
  if (options.sessions !== "none") {
    app.use(
      session({
        secret: "test-session-secret",
        resave: false,
        saveUninitialized: false,
        store: options.sessions.store,
        cookie: { httpOnly: true, sameSite: "lax" },
      }),
    )
  }
  app.use(authenticator.initialize())
  if (withSessions) app.use(authenticator.session())
  authenticator.serializeUser((user, done) => done(null, JSON.stringify(user)))
  authenticator.deserializeUser((json: string, done) => done(null, JSON.parse(json) as Express.User))

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, "127.0.0.1", () => resolve(s))
    s.once("error", reject)
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  const callbackURL = `${url}/auth/cryptohopper/callback`
  const strategy = options.strategy(callbackURL)
  authenticator.use(strategy)

  app.get("/auth/cryptohopper", authenticator.authenticate(strategy.name, { session: withSessions }))
  app.get(
    "/auth/cryptohopper/read-only",
    authenticator.authenticate(strategy.name, { session: withSessions, scope: "read" }),
  )
  if (withSessions) {
    app.get(
      "/auth/cryptohopper/callback",
      authenticator.authenticate(strategy.name, { failureRedirect: "/failed", failureMessage: true }),
      (_req: Request, res: Response) => res.redirect("/me"),
    )
  } else {
    // Without sessions the app answers JSON itself, through Passport's custom-callback form.
    app.get("/auth/cryptohopper/callback", (req: Request, res: Response, next: NextFunction) => {
      authenticator.authenticate(
        strategy.name,
        { session: false },
        (err: unknown, user: unknown, info: unknown, status: unknown) => {
          if (err) return next(err)
          if (!user) {
            const message = (info as { message?: string } | undefined)?.message ?? null
            return res.status(typeof status === "number" ? status : 401).json({ message })
          }
          res.json({ user })
        },
      )(req, res, next)
    })
  }
  app.get("/me", (req: Request, res: Response) => {
    if (req.user === undefined) res.status(401).json({ user: null })
    else res.json({ user: req.user })
  })
  app.get("/failed", (req: Request, res: Response) => {
    const messages = (req.session as unknown as { messages?: Array<string> }).messages ?? []
    res.status(401).json({ messages })
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { _tag?: string; message?: string; error?: string }
    res.status(500).json({ tag: e._tag ?? null, error: e.error ?? null, message: e.message ?? String(err) })
  })

  return {
    url,
    port,
    loginUrl: `${url}/auth/cryptohopper`,
    callbackURL,
    strategy,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      })
      await strategy.client.dispose()
    },
  }
}
