import type { OAuthClient } from "@grantflow/core"
import { GrantflowModule, getOAuthClientToken } from "@grantflow/nest"
import { type DynamicModule, Module } from "@nestjs/common"
import { FlashController } from "./api/flash.controller.js"
import { FuseApiController } from "./api/fuse-api.controller.js"
import { HopperApiController } from "./api/hopper-api.controller.js"
import { StatusController } from "./api/status.controller.js"
import { AuthController } from "./auth/auth.controller.js"
import { createPassport, PASSPORT } from "./auth/hopper-passport.js"
import { DemoStatusService } from "./connections/demo-status.service.js"
import { FuseConnection } from "./connections/fuse-connection.service.js"
import { HopperConnection } from "./connections/hopper-connection.service.js"
import { DEMO_RUNTIME, type DemoRuntime } from "./demo-runtime.js"
import { PageController } from "./page/page.controller.js"
import { TokenLedger } from "./tokens/token-ledger.js"

/**
 * The demo app: grantflow's Nest module with the two named clients (sharing the ledger's
 * TokenStore), the connections, the Passport instance, the React page and the JSON API it uses.
 */
@Module({})
export class DemoModule {
  static forRoot(runtime: DemoRuntime): DynamicModule {
    return {
      module: DemoModule,
      imports: [
        GrantflowModule.forRoot({
          clients: {
            cryptohopper: {
              provider: runtime.cryptohopper,
              options: { refreshSkewMs: runtime.refreshSkewMs.cryptohopper },
            },
            cryptofuse: {
              provider: runtime.cryptofuse,
              options: { refreshSkewMs: runtime.refreshSkewMs.cryptofuse },
            },
          },
          tokenStore: runtime.ledger.store,
        }),
      ],
      controllers: [
        PageController,
        AuthController,
        HopperApiController,
        FuseApiController,
        StatusController,
        FlashController,
      ],
      providers: [
        { provide: DEMO_RUNTIME, useValue: runtime },
        { provide: TokenLedger, useValue: runtime.ledger },
        HopperConnection,
        FuseConnection,
        DemoStatusService,
        {
          provide: PASSPORT,
          useFactory: (client: OAuthClient, hopper: HopperConnection) =>
            createPassport(client, hopper, runtime.hopperCallbackURL),
          inject: [getOAuthClientToken("cryptohopper"), HopperConnection],
        },
      ],
    }
  }
}
