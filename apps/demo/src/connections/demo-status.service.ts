import { Inject, Injectable } from "@nestjs/common"
import type { Request } from "express"
import { DEMO_RUNTIME, type DemoRuntime, type ProviderMode } from "../demo-runtime.js"
import { isHopperUser } from "../http/session-data.js"
import type { TokenView } from "../tokens/token-view.js"
import { FuseConnection } from "./fuse-connection.service.js"
import { HopperConnection } from "./hopper-connection.service.js"

/** Both connections at a glance, as `GET /api/status` answers and the home page shows. */
export interface DemoStatus {
  readonly modes: { readonly cryptohopper: ProviderMode; readonly cryptofuse: ProviderMode }
  readonly sandboxUrl: string | null
  readonly cryptohopper: {
    readonly connected: boolean
    readonly token: TokenView | null
    readonly canRevoke: boolean
  }
  readonly cryptofuse: { readonly token: TokenView | null }
  /** grantflow renews a token up to this many seconds before it expires, on the next call. */
  readonly refreshSkewSeconds: { readonly cryptohopper: number; readonly cryptofuse: number }
}

/** Reads the state of both connections for a request, without touching the network. */
@Injectable()
export class DemoStatusService {
  constructor(
    @Inject(DEMO_RUNTIME) private readonly runtime: DemoRuntime,
    @Inject(HopperConnection) private readonly hopper: HopperConnection,
    @Inject(FuseConnection) private readonly fuse: FuseConnection,
  ) {}

  of(req: Request): DemoStatus {
    const token = this.hopper.view(isHopperUser(req.user) ? req.user : undefined)
    return {
      modes: this.runtime.modes,
      sandboxUrl: this.runtime.sandbox?.url ?? null,
      cryptohopper: {
        connected: token !== undefined,
        token: token ?? null,
        canRevoke: this.hopper.canRevoke,
      },
      cryptofuse: { token: this.fuse.view() ?? null },
      refreshSkewSeconds: {
        cryptohopper: this.runtime.refreshSkewMs.cryptohopper / 1000,
        cryptofuse: this.runtime.refreshSkewMs.cryptofuse / 1000,
      },
    }
  }
}
