import { Controller, Get, Inject, Injectable, Module, Query } from "@nestjs/common"
import { Test } from "@nestjs/testing"
import { ConfigError, MemoryTokenStore, type OAuthClient, Providers, type TokenStore } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import * as Redacted from "effect/Redacted"
import request from "supertest"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { GrantflowClients, GrantflowModule, InjectOAuthClient, getOAuthClientToken } from "../src/index.js"
import {
  FUSE,
  HOPPER,
  closedPort,
  consentRedirect,
  createApp,
  fuseProvider,
  hopperProvider,
} from "./support.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterAll(() => sb.stop())

const apps: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})
const boot = async (module: Parameters<typeof createApp>[0]) => {
  const { app } = await createApp(module)
  apps.push(app)
  return app
}

@Controller("fuse")
class FuseController {
  constructor(@InjectOAuthClient("cryptofuse") private readonly fuse: OAuthClient) {}

  @Get("token")
  async token() {
    const tokens = await this.fuse.clientCredentials({ scopes: ["read"] })
    return { tokenType: tokens.tokenType, scopes: tokens.scopes, expiresAt: tokens.expiresAt?.toISOString() }
  }

  @Get("rates")
  async rates() {
    const res = await this.fuse.fetch("/rates/")
    return { status: res.status, body: await res.json() }
  }
}

@Controller("hopper")
class HopperController {
  constructor(@InjectOAuthClient("cryptohopper") private readonly hopper: OAuthClient) {}

  @Get("connect")
  async connect() {
    return { url: (await this.hopper.authorizationUrl({ scopes: ["read", "user"] })).url }
  }

  @Get("callback")
  async callback(@Query() query: Record<string, string>) {
    const tokens = await this.hopper.handleCallback(new URLSearchParams(query), { session: "user-1" })
    return { scopes: tokens.scopes }
  }

  @Get("me")
  async me() {
    const res = await this.hopper.fetch("/user/get", { session: "user-1" })
    return { status: res.status, body: await res.json() }
  }
}

describe("GrantflowModule.forRoot", () => {
  it("injects a named client whose client-credentials call gets a token from the provider", async () => {
    @Module({
      imports: [GrantflowModule.forRoot({ clients: { cryptofuse: fuseProvider(sb) } })],
      controllers: [FuseController],
    })
    class AppModule {}
    const app = await boot(AppModule)

    const res = await request(app.getHttpServer()).get("/fuse/token").expect(200)
    expect(res.body.tokenType).toBe("Bearer")
    expect(res.body.scopes).toEqual(["read"])
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now())

    const rates = await request(app.getHttpServer()).get("/fuse/rates").expect(200)
    expect(rates.body.status).toBe(200)
    expect(rates.body.body.base).toBe("USD")
  })

  it("accepts { provider, options } entries and makes each client available under getOAuthClientToken(name)", async () => {
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: {
            cryptofuse: { provider: fuseProvider(sb), options: { retries: 0 } },
            cryptohopper: hopperProvider(sb),
          },
        }),
      ],
    })
    class AppModule {}
    const app = await boot(AppModule)

    const fuse = app.get<OAuthClient>(getOAuthClientToken("cryptofuse"))
    const hopper = app.get<OAuthClient>(getOAuthClientToken("cryptohopper"))
    expect(fuse.provider.id).toBe("cryptofuse")
    expect(hopper.provider.id).toBe("cryptohopper")
    expect(app.get(GrantflowClients).get("cryptofuse")).toBe(fuse)
    expect((await fuse.clientCredentials()).tokenType).toBe("Bearer")
  })

  it("stops the bootstrap with a ConfigError when a client entry is neither a Provider nor { provider }", async () => {
    @Module({
      imports: [GrantflowModule.forRoot({ clients: { cryptofuse: { clientId: "x" } as never } })],
    })
    class AppModule {}
    const failure = await Test.createTestingModule({ imports: [AppModule] })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(failure).toBeInstanceOf(ConfigError)
    expect((failure as ConfigError).message).toContain(`client "cryptofuse" must be a Provider`)
  })

  it("stops the bootstrap naming the missing client's token when a class injects a name nobody configured", async () => {
    @Module({
      imports: [GrantflowModule.forRoot({ clients: { cryptofuse: fuseProvider(sb) } })],
      controllers: [HopperController],
    })
    class AppModule {}
    const failure = await Test.createTestingModule({ imports: [AppModule] })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    // Nest's own UnknownDependenciesException: the module declares only the names it configures.
    expect(String(failure)).toContain(getOAuthClientToken("cryptohopper"))
  })
})

@Injectable()
class Settings {
  constructor(@Inject("ENV") private readonly env: Record<string, string>) {}
  get(key: string): string {
    const value = this.env[key]
    if (value === undefined) throw new Error(`missing setting ${key}`)
    return value
  }
}

/** A stand-in for @nestjs/config's ConfigModule: settings from an env-like record. */
@Module({})
class SettingsModule {
  static fromEnv(env: Record<string, string>) {
    return {
      module: SettingsModule,
      providers: [{ provide: "ENV", useValue: env }, Settings],
      exports: [Settings],
    }
  }
}

describe("GrantflowModule.forRootAsync", () => {
  const env = () => ({
    FUSE_CLIENT_ID: FUSE.clientId,
    FUSE_CLIENT_SECRET: FUSE.clientSecret,
    FUSE_BASE_URL: sb.cryptofuse.baseUrl,
    HOPPER_CLIENT_ID: HOPPER.clientId,
    HOPPER_CLIENT_SECRET: HOPPER.clientSecret,
  })

  it("builds the clients from a factory with injected settings and injects them by name", async () => {
    @Module({
      imports: [
        GrantflowModule.forRootAsync({
          clientNames: ["cryptofuse", "cryptohopper"],
          imports: [SettingsModule.fromEnv(env())],
          inject: [Settings],
          useFactory: (settings: Settings) => ({
            clients: {
              cryptofuse: Providers.cryptofuse({
                clientId: settings.get("FUSE_CLIENT_ID"),
                clientSecret: settings.get("FUSE_CLIENT_SECRET"),
                baseUrl: settings.get("FUSE_BASE_URL"),
              }),
              cryptohopper: hopperProvider(sb, { clientSecret: settings.get("HOPPER_CLIENT_SECRET") }),
            },
          }),
        }),
      ],
      controllers: [FuseController, HopperController],
    })
    class AppModule {}
    const app = await boot(AppModule)
    const http = app.getHttpServer()

    const token = await request(http).get("/fuse/token").expect(200)
    expect(token.body.scopes).toEqual(["read"])

    const connect = await request(http).get("/hopper/connect").expect(200)
    expect(new URL(connect.body.url).origin).toBe(sb.url)
    const query = await consentRedirect(connect.body.url)
    const callback = await request(http).get(`/hopper/callback${query}`).expect(200)
    expect(callback.body.scopes).toEqual(["read", "user"])
    const me = await request(http).get("/hopper/me").expect(200)
    expect(me.body.status).toBe(200)
    expect(me.body.body.data).toBeDefined()
  })

  it("takes an options factory class (useClass)", async () => {
    @Injectable()
    class GrantflowConfig {
      create() {
        return { clients: { cryptofuse: fuseProvider(sb) } }
      }
    }
    @Module({
      imports: [GrantflowModule.forRootAsync({ clientNames: ["cryptofuse"], useClass: GrantflowConfig })],
      controllers: [FuseController],
    })
    class AppModule {}
    const app = await boot(AppModule)
    await request(app.getHttpServer()).get("/fuse/rates").expect(200)
  })

  it("passes a TokenStore from another provider to every client", async () => {
    const written: string[] = []
    const memory = MemoryTokenStore.make()
    const store: TokenStore["Service"] = {
      ...memory,
      set: (key, tokens) => {
        written.push(key)
        return memory.set(key, tokens)
      },
    }
    @Module({
      providers: [{ provide: "SHARED_TOKEN_STORE", useValue: store }],
      exports: ["SHARED_TOKEN_STORE"],
    })
    class StoresModule {}
    @Module({
      imports: [
        GrantflowModule.forRootAsync({
          clientNames: ["cryptofuse"],
          imports: [StoresModule],
          inject: ["SHARED_TOKEN_STORE"],
          useFactory: (tokenStore: TokenStore["Service"]) => ({
            clients: { cryptofuse: fuseProvider(sb) },
            tokenStore,
          }),
        }),
      ],
      controllers: [FuseController],
    })
    class AppModule {}
    const app = await boot(AppModule)

    await request(app.getHttpServer()).get("/fuse/rates").expect(200)
    expect(written.length).toBe(1)
    expect(written[0]).toContain("fuse-client")
  })

  it("stops the bootstrap with a ConfigError when the factory does not configure a listed client", async () => {
    @Module({
      imports: [
        GrantflowModule.forRootAsync({
          clientNames: ["cryptofuse", "cryptohopper"],
          useFactory: () => ({ clients: { cryptofuse: fuseProvider(sb) } }),
        }),
      ],
      controllers: [HopperController],
    })
    class AppModule {}
    const failure = await Test.createTestingModule({ imports: [AppModule] })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(failure).toBeInstanceOf(ConfigError)
    expect((failure as ConfigError).message).toContain(
      `no OAuth client named "cryptohopper" (configured: "cryptofuse")`,
    )
  })

  it("injects a listed client into a feature module declared after the module that calls forRootAsync (OAuthModule imported first)", async () => {
    // The usual layout: an OAuthModule, evaluated before any class that injects a client. The
    // name is used nowhere else in this file, so no earlier decorator can have announced it.
    @Module({
      imports: [
        GrantflowModule.forRootAsync({
          isGlobal: true,
          clientNames: ["late-fuse"],
          useFactory: () => ({ clients: { "late-fuse": fuseProvider(sb) } }),
        }),
      ],
    })
    class OAuthModule {}

    @Controller("late")
    class LateController {
      constructor(@InjectOAuthClient("late-fuse") private readonly fuse: OAuthClient) {}
      @Get("rates")
      async rates() {
        return (await this.fuse.fetch("/rates/")).json()
      }
    }
    @Module({ controllers: [LateController] })
    class FeatureModule {}

    @Module({ imports: [OAuthModule, FeatureModule] })
    class AppModule {}
    const app = await boot(AppModule)
    expect((await request(app.getHttpServer()).get("/late/rates").expect(200)).body.base).toBe("USD")
  })

  it("refuses clientNames that are not distinct non-empty strings with a ConfigError", () => {
    const factory = () => ({ clients: { cryptofuse: fuseProvider(sb) } })
    expect(() => GrantflowModule.forRootAsync({ clientNames: ["a", "a"], useFactory: factory })).toThrow(
      ConfigError,
    )
    expect(() => GrantflowModule.forRootAsync({ clientNames: [""], useFactory: factory })).toThrow(
      ConfigError,
    )
    expect(() =>
      GrantflowModule.forRootAsync({ clientNames: "cryptofuse" as never, useFactory: factory }),
    ).toThrow(ConfigError)
  })
})

describe("named clients", () => {
  @Controller("pair")
  class PairController {
    constructor(
      @InjectOAuthClient("reader") private readonly reader: OAuthClient,
      @InjectOAuthClient("broken") private readonly broken: OAuthClient,
    ) {}
    @Get("reader")
    async readerToken() {
      return { scopes: (await this.reader.clientCredentials()).scopes }
    }
    @Get("broken")
    async brokenToken() {
      return { scopes: (await this.broken.clientCredentials()).scopes }
    }
  }

  it("keeps two clients independent: own credentials, own scopes, own token cache", async () => {
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: {
            reader: fuseProvider(sb, { scopes: ["read"] }),
            broken: fuseProvider(sb, { clientSecret: "not-the-secret" }),
            admin: fuseProvider(sb, { scopes: ["read", "admin"] }),
          },
          clientOptions: { retries: 0 },
        }),
      ],
      controllers: [PairController],
    })
    class AppModule {}
    const app = await boot(AppModule)
    const http = app.getHttpServer()

    expect((await request(http).get("/pair/reader").expect(200)).body.scopes).toEqual(["read"])
    expect((await request(http).get("/pair/broken")).status).toBe(500) // no filter here: Nest's default answer

    const clients = app.get(GrantflowClients)
    expect(clients.names()).toEqual(["reader", "broken", "admin"])
    const reader = clients.get("reader")
    const admin = clients.get("admin")
    expect(reader).not.toBe(admin)
    expect((await admin.clientCredentials()).scopes).toEqual(["read", "admin"])

    const before = sb.stats.tokenRequests("cryptofuse")
    const first = Redacted.value(await reader.getAccessToken())
    expect(Redacted.value(await reader.getAccessToken())).toBe(first)
    const other = Redacted.value(await admin.getAccessToken())
    expect(other).not.toBe(first)
    expect(sb.stats.tokenRequests("cryptofuse") - before).toBe(2)
  })

  it("looks clients up by name and names the configured ones when asked for another", async () => {
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: { cryptofuse: fuseProvider(sb), cryptohopper: hopperProvider(sb) },
        }),
      ],
    })
    class AppModule {}
    const app = await boot(AppModule)
    const clients = app.get(GrantflowClients)
    expect(clients.has("cryptohopper")).toBe(true)
    expect(clients.has("stripe")).toBe(false)
    expect(() => clients.get("stripe")).toThrow(ConfigError)
    expect(() => clients.get("stripe")).toThrow(
      `no OAuth client named "stripe" (configured: "cryptofuse", "cryptohopper")`,
    )
  })

  it("makes the clients injectable in modules that do not import GrantflowModule when isGlobal is set", async () => {
    @Module({ controllers: [FuseController] })
    class PaymentsModule {}
    @Module({
      imports: [
        GrantflowModule.forRoot({ clients: { cryptofuse: fuseProvider(sb) }, isGlobal: true }),
        PaymentsModule,
      ],
    })
    class GlobalApp {}
    const app = await boot(GlobalApp)
    await request(app.getHttpServer()).get("/fuse/token").expect(200)

    @Module({
      imports: [GrantflowModule.forRoot({ clients: { cryptofuse: fuseProvider(sb) } }), PaymentsModule],
    })
    class LocalApp {}
    const failure = await Test.createTestingModule({ imports: [LocalApp] })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(String(failure)).toContain("can't resolve dependencies of the FuseController")
  })
})

describe("configuration errors", () => {
  it("refuses a module without clients with a ConfigError", async () => {
    @Module({ imports: [GrantflowModule.forRootAsync({ useFactory: () => ({}) as never })] })
    class AppModule {}
    const failure = await Test.createTestingModule({ imports: [AppModule] })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(failure).toBeInstanceOf(ConfigError)
    expect(String(failure)).toContain("`clients` must be an object")
  })

  it("refuses @InjectOAuthClient without a name", () => {
    expect(() => InjectOAuthClient("")).toThrow(ConfigError)
  })

  it("lets a client fail at its first call, not at bootstrap, when its provider cannot be reached", async () => {
    const port = await closedPort()
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: {
            cryptofuse: Providers.cryptofuse({ ...FUSE, baseUrl: `http://127.0.0.1:${port}/cryptofuse` }),
          },
          clientOptions: { retries: 0 },
        }),
      ],
    })
    class AppModule {}
    const app = await boot(AppModule)
    await expect(app.get(GrantflowClients).get("cryptofuse").clientCredentials()).rejects.toMatchObject({
      _tag: "TransportError",
    })
  })
})
