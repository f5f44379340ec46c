import { isOAuthError, toOAuthHttpError } from "@grantflow/nest"
import { Controller, Get, Inject, Logger, Req, Res } from "@nestjs/common"
import type { Request, Response } from "express"
import { HopperConnection } from "../connections/hopper-connection.service.js"
import { HOPPER_DEFAULT_SCOPES, HOPPER_SCOPES } from "../demo-runtime.js"
import { isHopperUser } from "../http/session-data.js"
import { flash, logIn } from "../http/session-ops.js"
import { HOPPER_STRATEGY, PASSPORT, type DemoPassport } from "./hopper-passport.js"
import { safeReturnTo } from "./return-to.js"

type Outcome = { readonly err: unknown; readonly user: unknown; readonly info: unknown }

const requestedScopes = (raw: unknown): ReadonlyArray<string> => {
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) =>
    typeof s === "string" ? s.split(/[\s,]+/) : [],
  )
  const known = HOPPER_SCOPES.filter((s) => list.includes(s))
  return known.length > 0 ? known : HOPPER_DEFAULT_SCOPES
}

const failureText = (info: unknown): string => {
  const message = (info as { message?: unknown } | undefined)?.message
  return typeof message === "string" && message.length > 0 ? message : "the login was refused"
}

/**
 * The Cryptohopper login, through Passport and `GrantflowStrategy`: `/auth/cryptohopper` sends the
 * browser to the provider's consent page (state and PKCE kept in this session), the callback
 * exchanges the code and logs the connection into the session. Failures come back to the home
 * page as a message: a denied consent shows the provider's own words.
 */
@Controller("auth/cryptohopper")
export class AuthController {
  readonly #logger = new Logger("AuthController")

  constructor(
    @Inject(PASSPORT) private readonly passport: DemoPassport,
    @Inject(HopperConnection) private readonly hopper: HopperConnection,
  ) {}

  /** `?scope=read&scope=user` (or `scope=read,user`) picks the scopes; `?returnTo=/path` where to land afterwards. */
  @Get()
  login(@Req() req: Request, @Res() res: Response): void {
    const returnTo = safeReturnTo(req.query.returnTo)
    if (returnTo === undefined) delete req.session.returnTo
    else req.session.returnTo = returnTo
    const scope = requestedScopes(req.query.scope)
    // The strategy answers with a redirect to the provider; only an error reaches the callback.
    this.passport.authenticate(HOPPER_STRATEGY, { scope: [...scope] }, (err: unknown) => {
      this.#fail(req, res, err)
    })(req, res, (err: unknown) => this.#fail(req, res, err))
  }

  @Get("callback")
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { err, user, info } = await new Promise<Outcome>((resolve) => {
      this.passport.authenticate(HOPPER_STRATEGY, (e: unknown, u: unknown, i: unknown) =>
        resolve({ err: e, user: u, info: i }),
      )(req, res, (e: unknown) => resolve({ err: e, user: undefined, info: undefined }))
    })
    const returnTo = req.session.returnTo ?? "/"
    delete req.session.returnTo
    if (err !== undefined && err !== null) return this.#fail(req, res, err)
    if (!isHopperUser(user)) {
      flash(req, "error", `Cryptohopper did not connect: ${failureText(info)}`)
      return res.redirect(303, "/#cryptohopper")
    }
    // Connecting again replaces this browser's earlier connection, whose grant is revoked, not left behind.
    if (isHopperUser(req.user) && req.user.connection !== user.connection) {
      await this.hopper.disconnect(req.user).catch((e: unknown) => {
        this.#logger.warn(
          `could not end the earlier connection: ${e instanceof Error ? e.message : String(e)}`,
        )
      })
    }
    await logIn(req, user)
    flash(
      req,
      "info",
      `Connected to Cryptohopper with scopes: ${this.hopper.view(user)?.scopes.join(", ") || "(none)"}.`,
    )
    res.redirect(303, returnTo)
  }

  #fail(req: Request, res: Response, err: unknown): void {
    if (!isOAuthError(err)) {
      this.#logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
      res.status(500).type("text/plain").send("The login failed unexpectedly; see the server log.")
      return
    }
    flash(req, "error", `Cryptohopper did not connect: ${toOAuthHttpError(err).body.message}`)
    res.redirect(303, "/#cryptohopper")
  }
}
