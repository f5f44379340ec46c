/**
 * Starts the whole demo in this process: the embedded sandbox (for each provider that is not
 * configured as real), the Nest app (the React page built into `dist/web`, the JSON API, the
 * login routes) with its session and Passport middleware, and the sandbox
 * registration of the app's callback URL once the port is known. `main.ts` and the end-to-end
 * tests both start the demo through here.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ port: 0, sandbox: { accessTokenTtlSeconds: 2 } })
 * console.log(demo.url) // http://localhost:<port>
 * await demo.close()
 * ```
 */
import "reflect-metadata"
import { randomBytes } from "node:crypto"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { Providers, type Provider } from "@grantflow/core"
import { OAuthExceptionFilter } from "@grantflow/nest"
import { DEFAULT_CLIENTS, startSandbox, type Sandbox, type SandboxOptions } from "@grantflow/sandbox"
import type { LogLevel } from "@nestjs/common"
import { HttpAdapterHost, NestFactory } from "@nestjs/core"
import type { NestExpressApplication } from "@nestjs/platform-express"
import * as Redacted from "effect/Redacted"
import session from "express-session"
import { PASSPORT, type DemoPassport } from "./auth/hopper-passport.js"
import { CALLBACK_PATH, DEFAULT_HOST, DEFAULT_PORT, type FuseConfig, type HopperConfig } from "./config.js"
import { DemoModule } from "./demo.module.js"
import { type DemoRuntime, FUSE_SCOPES, HOPPER_DEFAULT_SCOPES, type ProviderMode } from "./demo-runtime.js"
import { sameOriginWrites, securityHeaders } from "./http/security.js"
import { ASSETS_PREFIX, WEB_DIR } from "./page/web-build.js"
import { TokenLedger } from "./tokens/token-ledger.js"

/** Options of the embedded sandbox; tokens live 60 s by default so refreshes can be watched. */
export interface DemoSandboxOptions extends Omit<SandboxOptions, "accessTokenTtlSeconds" | "clients"> {
  /** Seconds, for both providers or per provider (default 60). */
  readonly accessTokenTtlSeconds?: number | { readonly cryptohopper?: number; readonly cryptofuse?: number }
}

/** Options of {@link startDemo}; everything is optional (sandbox for both providers on port 3000). */
export interface StartDemoOptions {
  /** Default 3000; 0 picks a free port. */
  readonly port?: number | undefined
  /** Default 127.0.0.1 (not reachable from the network). */
  readonly host?: string | undefined
  /** Signs the session cookie; default: random for this run. */
  readonly sessionSecret?: Redacted.Redacted<string> | string | undefined
  /** Default: the embedded sandbox. */
  readonly cryptohopper?: HopperConfig | undefined
  /** Default: the embedded sandbox. */
  readonly cryptofuse?: FuseConfig | undefined
  readonly sandbox?: DemoSandboxOptions | undefined
  /**
   * How long before expiry grantflow renews a sandbox token (default 5 s, of a 60 s lifetime).
   * Real providers keep core's default (60 s, at most half the token's lifetime).
   */
  readonly refreshSkewMs?: number | undefined
  /** Nest's log levels, or false for none (default: errors and warnings). */
  readonly logger?: false | ReadonlyArray<LogLevel> | undefined
}

/** A running demo. */
export interface Demo {
  /** Where a person opens the demo, e.g. `http://localhost:3000`. */
  readonly url: string
  readonly port: number
  readonly modes: { readonly cryptohopper: ProviderMode; readonly cryptofuse: ProviderMode }
  /** The embedded sandbox, when a provider runs on it. */
  readonly sandbox: Sandbox | undefined
  /** The server-side TokenStore (tokens per connection and the app's Cryptofuse token). */
  readonly ledger: TokenLedger
  /** Stops the app, then the sandbox. Safe to call twice. */
  close(): Promise<void>
}

const SANDBOX_TTL_SECONDS = 60
const SANDBOX_SKEW_MS = 5_000
const REAL_SKEW_MS = 60_000
const HOPPER_CLIENT = DEFAULT_CLIENTS.find((c) => c.provider === "cryptohopper")!
const FUSE_CLIENT = DEFAULT_CLIENTS.find((c) => c.provider === "cryptofuse")!

const LOOPBACK = new Set(["127.0.0.1", "::1", "0.0.0.0", "::", "localhost"])

const ttlOf = (ttl: DemoSandboxOptions["accessTokenTtlSeconds"]) =>
  typeof ttl === "number"
    ? { cryptohopper: ttl, cryptofuse: ttl }
    : {
        cryptohopper: ttl?.cryptohopper ?? SANDBOX_TTL_SECONDS,
        cryptofuse: ttl?.cryptofuse ?? SANDBOX_TTL_SECONDS,
      }

const hopperProvider = (config: HopperConfig, sandbox: Sandbox | undefined): Provider =>
  config.kind === "real"
    ? Providers.cryptohopper({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        redirectUri: config.redirectUri,
        scopes: HOPPER_DEFAULT_SCOPES,
      })
    : Providers.cryptohopper({
        clientId: HOPPER_CLIENT.clientId,
        clientSecret: HOPPER_CLIENT.clientSecret,
        scopes: HOPPER_DEFAULT_SCOPES,
        endpoints: {
          authorization: sandbox!.cryptohopper.authorizationEndpoint,
          token: sandbox!.cryptohopper.tokenEndpoint,
          revocation: sandbox!.cryptohopper.revocationEndpoint,
          api: sandbox!.cryptohopper.apiBase,
        },
      })

const fuseProvider = (config: FuseConfig, sandbox: Sandbox | undefined): Provider =>
  config.kind === "real"
    ? Providers.cryptofuse({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        baseUrl: config.baseUrl,
        scopes: FUSE_SCOPES,
      })
    : Providers.cryptofuse({
        clientId: FUSE_CLIENT.clientId,
        clientSecret: FUSE_CLIENT.clientSecret,
        baseUrl: sandbox!.cryptofuse.baseUrl,
        scopes: FUSE_SCOPES,
      })

/** Starts the demo; rejects (after cleaning up) when the sandbox, a provider or the port fails. */
export const startDemo = async (options: StartDemoOptions = {}): Promise<Demo> => {
  const hopperConfig = options.cryptohopper ?? { kind: "sandbox" }
  const fuseConfig = options.cryptofuse ?? { kind: "sandbox" }
  const modes = { cryptohopper: hopperConfig.kind, cryptofuse: fuseConfig.kind } as const
  const needsSandbox = modes.cryptohopper === "sandbox" || modes.cryptofuse === "sandbox"

  const sandbox = needsSandbox
    ? await startSandbox({
        consent: "page",
        ...options.sandbox,
        accessTokenTtlSeconds: ttlOf(options.sandbox?.accessTokenTtlSeconds),
      })
    : undefined

  let app: NestExpressApplication | undefined
  try {
    const skew = options.refreshSkewMs ?? SANDBOX_SKEW_MS
    const runtime: DemoRuntime = {
      modes,
      sandbox,
      cryptohopper: hopperProvider(hopperConfig, sandbox),
      cryptofuse: fuseProvider(fuseConfig, sandbox),
      // On the sandbox the redirect URI follows the host the browser used (localhost or
      // 127.0.0.1, both registered below); a real provider gets exactly the configured one.
      hopperCallbackURL: hopperConfig.kind === "real" ? hopperConfig.redirectUri : CALLBACK_PATH,
      ledger: new TokenLedger(),
      refreshSkewMs: {
        cryptohopper: modes.cryptohopper === "sandbox" ? skew : REAL_SKEW_MS,
        cryptofuse: modes.cryptofuse === "sandbox" ? skew : REAL_SKEW_MS,
      },
    }

    app = await NestFactory.create<NestExpressApplication>(DemoModule.forRoot(runtime), {
      logger:
        options.logger === undefined
          ? ["error", "warn"]
          : options.logger === false
            ? false
            : [...options.logger],
      forceCloseConnections: true,
    })
    app.disable("x-powered-by")
    const authorization = runtime.cryptohopper.endpoints.authorization
    app.use(securityHeaders(authorization === undefined ? [] : [new URL(authorization).origin]))
    app.use(sameOriginWrites)
    // The page's scripts and styles have content hashes in their names: cached for good, unlike
    // the page itself and the JSON (no-store). Before the session: static files need none.
    app.useStaticAssets(join(WEB_DIR, "assets"), {
      prefix: ASSETS_PREFIX,
      index: false,
      redirect: false,
      // Set here: `send` keeps a Cache-Control that is already there (securityHeaders' no-store).
      setHeaders: (res) => res.setHeader("cache-control", "public, max-age=31536000, immutable"),
    })
    const secret = options.sessionSecret ?? Redacted.make(randomBytes(32).toString("hex"))
    app.use(
      session({
        name: "grantflow.sid",
        secret: typeof secret === "string" ? secret : Redacted.value(secret),
        resave: false,
        saveUninitialized: false,
        // `auto`: Secure whenever the request came over https.
        cookie: { httpOnly: true, sameSite: "lax", secure: "auto", path: "/" },
      }),
    )
    const passport = app.get<DemoPassport>(PASSPORT)
    app.use(passport.initialize())
    app.use(passport.session())
    app.useGlobalFilters(new OAuthExceptionFilter(app.get(HttpAdapterHost)))

    const host = options.host ?? DEFAULT_HOST
    await app.listen(options.port ?? DEFAULT_PORT, host)
    const port = (app.getHttpServer().address() as AddressInfo).port
    const shownHost = LOOPBACK.has(host) ? "localhost" : host.includes(":") ? `[${host}]` : host
    const url = `http://${shownHost}:${port}`

    if (sandbox !== undefined && modes.cryptohopper === "sandbox") {
      sandbox.updateClient(HOPPER_CLIENT.clientId, {
        name: "grantflow demo",
        redirectUris: [
          ...new Set([
            `${url}${CALLBACK_PATH}`,
            `http://localhost:${port}${CALLBACK_PATH}`,
            `http://127.0.0.1:${port}${CALLBACK_PATH}`,
          ]),
        ],
      })
    }

    let closing: Promise<void> | undefined
    const started = app
    return {
      url,
      port,
      modes,
      sandbox,
      ledger: runtime.ledger,
      close: () =>
        (closing ??= (async () => {
          try {
            await started.close()
          } finally {
            await sandbox?.stop()
          }
        })()),
    }
  } catch (err) {
    await app?.close().catch(() => undefined)
    await sandbox?.stop()
    throw err
  }
}
