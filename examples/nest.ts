// packages/nest/README.md's first example, as a file the tests run. Nest needs decorator metadata,
// which Node's type stripping does not emit, so compile it first:
//   npm install @grantflow/nest @grantflow/core effect @nestjs/common @nestjs/core @nestjs/platform-express reflect-metadata rxjs
//   tsc (experimentalDecorators, emitDecoratorMetadata; examples/tsconfig.nest.json), then node dist/nest.js
// Against a sandbox (`pnpm sandbox`, GRANTFLOW_SANDBOX_URL=http://127.0.0.1:4010) or the real
// Cryptofuse (FUSE_ID, FUSE_SECRET). Ctrl-C closes the app and disposes its clients, then it exits.
import "reflect-metadata"
import { Controller, Get, Module } from "@nestjs/common"
import { NestFactory } from "@nestjs/core"
import { Providers, type OAuthClient } from "@grantflow/core"
import { GrantflowModule, InjectOAuthClient, OAuthExceptionFilter } from "@grantflow/nest"

const sandbox = process.env.GRANTFLOW_SANDBOX_URL // e.g. http://127.0.0.1:4010 from `pnpm sandbox`
const cryptofuse = sandbox
  ? Providers.cryptofuse({
      clientId: "fuse-client",
      clientSecret: "fuse-secret-with/special+chars",
      baseUrl: `${sandbox}/cryptofuse`,
    })
  : Providers.cryptofuse({ clientId: process.env.FUSE_ID!, clientSecret: process.env.FUSE_SECRET! })

@Controller("rates")
class RatesController {
  constructor(@InjectOAuthClient("cryptofuse") private readonly fuse: OAuthClient) {}
  @Get() async list() {
    return (await this.fuse.fetch("/rates/")).json() // token fetched, cached, renewed before expiry
  }
}

@Module({ imports: [GrantflowModule.forRoot({ clients: { cryptofuse } })], controllers: [RatesController] })
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] })
await app.useGlobalFilters(new OAuthExceptionFilter()).listen(Number(process.env.PORT ?? 3000))
console.log(`listening on ${await app.getUrl()}`)
const stop = () => void app.close() // closes the server and disposes the OAuth clients: the process exits
process.once("SIGINT", stop).once("SIGTERM", stop)
