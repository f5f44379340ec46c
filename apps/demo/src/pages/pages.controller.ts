import { Body, Controller, Get, Header, Inject, Post, Req, Res, UseFilters } from "@nestjs/common"
import type { Request, Response } from "express"
import { checkApiPath } from "../connections/api-call.js"
import { DemoStatusService } from "../connections/demo-status.service.js"
import { FuseConnection } from "../connections/fuse-connection.service.js"
import { HopperConnection, whileConnected } from "../connections/hopper-connection.service.js"
import { FUSE_CALLS } from "../demo-runtime.js"
import { flash, logOut, takeFlash } from "../http/session-ops.js"
import { homePage } from "./home-page.js"
import { PageErrorFilter } from "./page-error.filter.js"

type Form = Record<string, unknown>

/**
 * The server-rendered pages: the home page, and one POST per action (each answers with a 303
 * back to the home page, which shows the outcome: post/redirect/get, so a reload never repeats
 * an action).
 */
@Controller()
@UseFilters(PageErrorFilter)
export class PagesController {
  constructor(
    @Inject(HopperConnection) private readonly hopper: HopperConnection,
    @Inject(FuseConnection) private readonly fuse: FuseConnection,
    @Inject(DemoStatusService) private readonly status: DemoStatusService,
  ) {}

  @Get()
  @Header("content-type", "text/html; charset=utf-8")
  home(@Req() req: Request): string {
    const status = this.status.of(req)
    return homePage({
      status,
      hopperCall: status.cryptohopper.connected ? req.session.hopperCall : undefined,
      fuseCall: req.session.fuseCall,
      flash: takeFlash(req),
    })
  }

  @Post("cryptohopper/call")
  async hopperCall(@Req() req: Request, @Res() res: Response, @Body() form: Form): Promise<void> {
    const path = checkApiPath(form?.path)
    req.session.hopperCall = await whileConnected(req, this.hopper, (user) => this.hopper.call(user, path))
    res.redirect(303, "/#cryptohopper")
  }

  @Post("cryptohopper/refresh")
  async hopperRefresh(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = await whileConnected(req, this.hopper, (user) =>
      this.hopper.token(user, { forceRefresh: true }),
    )
    flash(req, "info", `Refreshed: the new access token starts with ${token.accessToken}`)
    res.redirect(303, "/#cryptohopper")
  }

  @Post("cryptohopper/disconnect")
  async hopperDisconnect(@Req() req: Request, @Res() res: Response): Promise<void> {
    const result = await whileConnected(req, this.hopper, (user) => this.hopper.disconnect(user))
    await logOut(req)
    flash(req, result.revoked ? "info" : "error", result.message)
    res.redirect(303, "/#cryptohopper")
  }

  @Post("cryptofuse/token")
  async fuseToken(@Req() req: Request, @Res() res: Response, @Body() form: Form): Promise<void> {
    const renew = form?.renew === "1"
    const token = await this.fuse.token({ renew })
    flash(
      req,
      "info",
      `${renew ? "New" : "Cryptofuse"} token ${token.accessToken} with scopes: ${token.scopes.join(", ") || "(none)"}.`,
    )
    res.redirect(303, "/#cryptofuse")
  }

  @Post("cryptofuse/call")
  async fuseCall(@Req() req: Request, @Res() res: Response, @Body() form: Form): Promise<void> {
    const call = FUSE_CALLS.find((c) => c.path === form?.path)
    if (call === undefined) {
      flash(
        req,
        "error",
        `Unknown Cryptofuse call; choose one of ${FUSE_CALLS.map((c) => c.path).join(", ")}.`,
      )
    } else {
      req.session.fuseCall = await this.fuse.call(call.path)
    }
    res.redirect(303, "/#cryptofuse")
  }
}
