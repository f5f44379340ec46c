import { Controller, Get, Module } from "@nestjs/common"
import { APP_FILTER } from "@nestjs/core"
import type { OAuthClient } from "@grantflow/core"
// The package's own name resolves through its `exports` to dist/, i.e. what tsc 7 emitted.
import { GrantflowClients, GrantflowModule, InjectOAuthClient, OAuthExceptionFilter } from "@grantflow/nest"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import request from "supertest"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createApp, fuseProvider } from "./support.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.stop())

it("works from the built package: tsc 7 emits the decorator metadata Nest injects by", async () => {
  @Controller()
  class RatesController {
    constructor(@InjectOAuthClient("cryptofuse") private readonly fuse: OAuthClient) {}
    @Get("rates")
    async rates() {
      return (await this.fuse.fetch("/rates/")).json()
    }
    @Get("scope")
    async scope() {
      return (await this.fuse.clientCredentials({ scopes: ["no-such-scope"] })).scopes
    }
  }
  @Module({
    imports: [
      GrantflowModule.forRootAsync({
        clientNames: ["cryptofuse"],
        useFactory: () => ({ clients: { cryptofuse: fuseProvider(sb) } }),
      }),
    ],
    controllers: [RatesController],
    // OAuthExceptionFilter receives HttpAdapterHost through `design:paramtypes` alone.
    providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
  })
  class AppModule {}
  const { app } = await createApp(AppModule)
  try {
    expect((await request(app.getHttpServer()).get("/rates").expect(200)).body.base).toBe("USD")
    const refused = await request(app.getHttpServer()).get("/scope")
    expect(refused.status).toBe(502)
    expect(refused.body.error).toBe("OAuthServerError")
    expect(Reflect.getMetadata("design:paramtypes", OAuthExceptionFilter)?.[0]?.name).toBe("HttpAdapterHost")
    expect(app.get(GrantflowClients).names()).toEqual(["cryptofuse"])
  } finally {
    await app.close()
  }
})
