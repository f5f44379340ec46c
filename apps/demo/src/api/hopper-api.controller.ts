import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from "@nestjs/common"
import type { Request, Response } from "express"
import type { ApiCall } from "../connections/api-call.js"
import {
  type DisconnectResult,
  HopperConnection,
  needsNewLogin,
  whileConnected,
} from "../connections/hopper-connection.service.js"
import { logOut } from "../http/session-ops.js"
import type { TokenView } from "../tokens/token-view.js"

/**
 * The Cryptohopper connection as JSON, for the React page (`@grantflow/react-hooks`'
 * `backendSource`): the browser only ever sees a masked token and calls the API through
 * `/call`. `GET token` answers "not connected" (a normal state of the page) with 204 No Content,
 * as `backendSource` reads it; the actions (`token/refresh`, `logout`, `call`) answer it with 401
 * `{ error: "LoginRequired", message }`. Other failures are `OAuthExceptionFilter`'s
 * `{ statusCode, error, message }`.
 */
@Controller("api/cryptohopper")
export class HopperApiController {
  constructor(@Inject(HopperConnection) private readonly hopper: HopperConnection) {}

  /** The connection's token (refreshed first when due), masked; 204 without a connection. */
  @Get("token")
  async token(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenView | undefined> {
    try {
      return await whileConnected(req, this.hopper, (user) => this.hopper.token(user))
    } catch (err) {
      if (!needsNewLogin(err)) throw err
      res.status(204)
      return undefined
    }
  }

  /** Refreshes now, then answers like `GET token`. */
  @Post("token/refresh")
  @HttpCode(200)
  refresh(@Req() req: Request): Promise<TokenView> {
    return whileConnected(req, this.hopper, (user) => this.hopper.token(user, { forceRefresh: true }))
  }

  /** Revokes the tokens at the provider and ends the connection; 401 when there was none. */
  @Post("logout")
  @HttpCode(200)
  async logout(@Req() req: Request): Promise<DisconnectResult> {
    const result = await whileConnected(req, this.hopper, (user) => this.hopper.disconnect(user))
    await logOut(req)
    return result
  }

  /** `GET ?path=/hopper`: calls the Cryptohopper API through `client.fetch` and returns its answer. */
  @Get("call")
  call(@Req() req: Request, @Query("path") path: unknown): Promise<ApiCall> {
    return whileConnected(req, this.hopper, (user) => this.hopper.call(user, String(path ?? "")))
  }
}
