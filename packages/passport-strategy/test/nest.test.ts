/**
 * GrantflowStrategy in a NestJS 12 app through @nestjs/passport: `PassportStrategy(GrantflowStrategy,
 * "cryptohopper")` with a `validate(tokens)` method and `AuthGuard("cryptohopper")` on the routes,
 * driving whole logins against a real @grantflow/sandbox over HTTP with a cookie jar.
 */
import "reflect-metadata"
import type { TokenSet } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  type ExecutionContext,
  type INestApplication,
} from "@nestjs/common"
import { AuthGuard, PassportModule, PassportStrategy } from "@nestjs/passport"
import { Test } from "@nestjs/testing"
import type { Request, Response } from "express"
import session from "express-session"
import passport from "passport"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { GrantflowStrategy } from "../src/index.js"
import { Browser } from "./support/Browser.js"
import { hopperProvider, registerCallback, userFromTokens, type HopperUser } from "./support/hopper.js"

const SANDBOX = Symbol("sandbox")
const validated: Array<TokenSet> = []

@Injectable()
class HopperStrategy extends PassportStrategy(GrantflowStrategy, "cryptohopper") {
  constructor(@Inject(SANDBOX) private readonly sb: Sandbox) {
    // A relative callbackURL resolves against each request, so the app needs no port up front.
    super({
      provider: hopperProvider(sb),
      scopes: ["read", "trade"],
      callbackURL: "/auth/cryptohopper/callback",
    })
  }

  async validate(tokens: TokenSet): Promise<HopperUser> {
    validated.push(tokens)
    return userFromTokens(this.sb, tokens)
  }
}

/** Logs the user into the session after the strategy succeeds, and answers a failed login with its reason. */
@Injectable()
class HopperAuthGuard extends AuthGuard("cryptohopper") {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const ok = (await super.canActivate(context)) as boolean
    await super.logIn(context.switchToHttp().getRequest())
    return ok
  }

  override handleRequest<U>(err: unknown, user: U | false, info: unknown): U {
    if (err) throw err
    if (!user)
      throw new UnauthorizedException((info as { message?: string } | undefined)?.message ?? "Login failed")
    return user
  }
}

@Controller()
class AuthController {
  @Get("auth/cryptohopper")
  @UseGuards(HopperAuthGuard)
  login(): void {
    // The guard has already redirected the browser to the provider.
  }

  @Get("auth/cryptohopper/callback")
  @UseGuards(HopperAuthGuard)
  callback(@Res() res: Response): void {
    res.redirect("/me")
  }

  @Get("me")
  me(@Req() req: Request): { user: Express.User } {
    if (req.user === undefined) throw new UnauthorizedException("Not logged in")
    return { user: req.user }
  }
}

let sb: Sandbox
let app: INestApplication
let base: string

beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
  @Module({
    imports: [PassportModule.register({ session: true })],
    controllers: [AuthController],
    providers: [{ provide: SANDBOX, useValue: sb }, HopperStrategy],
  })
  class AppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile()
  app = moduleRef.createNestApplication({ logger: false })
  app.use(
    session({
      secret: "nest-test-secret",
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax" },
    }),
  )
  app.use(passport.initialize())
  app.use(passport.session())
  passport.serializeUser((user, done) => done(null, JSON.stringify(user)))
  passport.deserializeUser((json: string, done) => done(null, JSON.parse(json) as Express.User))
  await app.listen(0, "127.0.0.1")
  base = (await app.getUrl()).replace("[::1]", "127.0.0.1").replace("localhost", "127.0.0.1")
  registerCallback(sb, `${base}/auth/cryptohopper/callback`)
})

afterEach(() => {
  sb.setConsent("approve")
  sb.faults.clear()
})

afterAll(async () => {
  await app?.close()
  await sb?.stop()
})

describe("GrantflowStrategy under @nestjs/passport", () => {
  it("redirects the login through AuthGuard with state, an S256 challenge and comma-separated scopes", async () => {
    const browser = new Browser()
    const authorize = await browser.redirectFrom(`${base}/auth/cryptohopper`)

    expect(`${authorize.origin}${authorize.pathname}`).toBe(sb.cryptohopper.authorizationEndpoint)
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${base}/auth/cryptohopper/callback`)
    expect(authorize.searchParams.get("scope")).toBe("read,trade")
    expect(authorize.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256")
  })

  it("calls validate with the TokenSet after consent and keeps the user in the session", async () => {
    const browser = new Browser()
    const before = validated.length
    const callback = await browser.callbackFor(`${base}/auth/cryptohopper`)

    const next = await browser.redirectFrom(callback.href)
    expect(next.pathname).toBe("/me")
    const me = await browser.get(next.href)
    expect(me.status).toBe(200)
    expect(((await me.json()) as { user: HopperUser }).user).toMatchObject({
      username: "sandbox-user",
      scopes: ["read", "trade"],
    })
    expect(validated).toHaveLength(before + 1)
  })

  it("answers 401 with the provider's message when the user denies consent", async () => {
    sb.setConsent("deny")
    const browser = new Browser()
    const res = await browser.get((await browser.callbackFor(`${base}/auth/cryptohopper`)).href)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { message: string }).message).toBe(
      "User did not give permission to the app.",
    )
  })

  it("answers 401 to a replayed callback and to a callback carrying another session's state", async () => {
    const alice = new Browser()
    const callback = await alice.callbackFor(`${base}/auth/cryptohopper`)

    const mallory = new Browser()
    await mallory.callbackFor(`${base}/auth/cryptohopper`)
    const stolen = await mallory.get(callback.href)
    expect(stolen.status).toBe(401)
    expect(((await stolen.json()) as { message: string }).message).toMatch(/^State check failed/)

    expect((await alice.get(callback.href)).status).toBe(302)
    const replay = await alice.get(callback.href)
    expect(replay.status).toBe(401)
    expect(((await replay.json()) as { message: string }).message).toMatch(/^State check failed/)
  })

  it("turns a token endpoint 500 into an error, not a failed login", async () => {
    const browser = new Browser()
    const callback = await browser.callbackFor(`${base}/auth/cryptohopper`)
    sb.faults.next("cryptohopper.token", { kind: "status", status: 500 })
    const res = await browser.get(callback.href)
    expect(res.status).toBe(500)
    expect((await browser.get(`${base}/me`)).status).toBe(401)
  })
})
