import { Controller, Get, Req } from "@nestjs/common"
import type { Request } from "express"
import type { Flash } from "../http/session-data.js"
import { takeFlash } from "../http/session-ops.js"

/**
 * `GET /api/flash`: the one-shot message the server left for this browser's next page, e.g. after
 * the login came back ("Connected to Cryptohopper with scopes: read, user." or a denied consent's
 * "Cryptohopper did not connect: User did not give permission to the app."). Read once: a second
 * request answers `{ flash: null }`. Kept in the session rather than the URL, so no link can make
 * the page show a message the server did not write.
 */
@Controller("api/flash")
export class FlashController {
  @Get()
  take(@Req() req: Request): { readonly flash: Flash | null } {
    return { flash: takeFlash(req) ?? null }
  }
}
