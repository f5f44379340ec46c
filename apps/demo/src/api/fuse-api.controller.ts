import { Controller, Get, HttpCode, Inject, NotFoundException, Post } from "@nestjs/common"
import type { ApiCall } from "../connections/api-call.js"
import { FuseConnection } from "../connections/fuse-connection.service.js"
import { FUSE_CALLS } from "../demo-runtime.js"
import type { TokenView } from "../tokens/token-view.js"

const pathOf = (route: (typeof FUSE_CALLS)[number]["route"]): string =>
  FUSE_CALLS.find((c) => c.route === route)!.path

/** The app's Cryptofuse client-credentials token and API, as JSON (masked token only). */
@Controller("api/cryptofuse")
export class FuseApiController {
  constructor(@Inject(FuseConnection) private readonly fuse: FuseConnection) {}

  /** The current token without asking for one; 404 before the first. */
  @Get("token")
  current(): TokenView {
    const view = this.fuse.view()
    if (view === undefined) {
      throw new NotFoundException("No Cryptofuse token yet: POST /api/cryptofuse/token gets one")
    }
    return view
  }

  /** The cached token, or a new one when there is none or it is due. */
  @Post("token")
  @HttpCode(200)
  token(): Promise<TokenView> {
    return this.fuse.token()
  }

  /** A new token now (Cryptofuse has no refresh tokens: this is another client-credentials request). */
  @Post("token/renew")
  @HttpCode(200)
  renew(): Promise<TokenView> {
    return this.fuse.token({ renew: true })
  }

  @Get("payments")
  payments(): Promise<ApiCall> {
    return this.fuse.call(pathOf("payments"))
  }

  @Get("rates")
  rates(): Promise<ApiCall> {
    return this.fuse.call(pathOf("rates"))
  }
}
