import "reflect-metadata"
import { createServer } from "node:net"
import type { INestApplication, LoggerService, Type } from "@nestjs/common"
import { Test } from "@nestjs/testing"
import { Providers, type Provider } from "@grantflow/core"
import type { Sandbox } from "@grantflow/sandbox"

/** The sandbox's default clients (see @grantflow/sandbox DEFAULT_CLIENTS). */
export const HOPPER = {
  clientId: "hopper-app",
  clientSecret: "hopper-secret",
  redirectUri: "http://127.0.0.1/callback",
}
export const FUSE = { clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars" }

/** A Cryptofuse provider pointed at the sandbox. */
export const fuseProvider = (
  sb: Sandbox,
  overrides: { clientSecret?: string; scopes?: string[] } = {},
): Provider => Providers.cryptofuse({ ...FUSE, ...overrides, baseUrl: sb.cryptofuse.baseUrl })

/** A Cryptohopper provider pointed at the sandbox. */
export const hopperProvider = (sb: Sandbox, overrides: { clientSecret?: string } = {}): Provider =>
  Providers.cryptohopper({
    ...HOPPER,
    ...overrides,
    endpoints: {
      authorization: sb.cryptohopper.authorizationEndpoint,
      token: sb.cryptohopper.tokenEndpoint,
      revocation: sb.cryptohopper.revocationEndpoint,
      api: sb.cryptohopper.apiBase,
    },
  })

/** A Nest logger that keeps what it is told, so tests can check what was logged (and what was not sent). */
export class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = []
  log(message: unknown) {
    this.lines.push({ level: "log", message: String(message) })
  }
  error(message: unknown) {
    this.lines.push({ level: "error", message: String(message) })
  }
  warn(message: unknown) {
    this.lines.push({ level: "warn", message: String(message) })
  }
  debug() {}
  verbose() {}
  text(): string {
    return this.lines.map((l) => l.message).join("\n")
  }
}

/** Compiles `module` into an initialised HTTP application (Express) with a recording logger. */
export const createApp = async (
  module: Type,
  configure: (app: INestApplication) => void = () => {},
): Promise<{ app: INestApplication; logger: RecordingLogger }> => {
  const logger = new RecordingLogger()
  const ref = await Test.createTestingModule({ imports: [module] }).compile()
  const app = ref.createNestApplication({ logger })
  configure(app)
  await app.init()
  return { app, logger }
}

/**
 * Follows the sandbox's authorization redirect (consent "approve" or "deny") without a browser
 * and returns the query string it sends the user back with.
 */
export const consentRedirect = async (authorizationUrl: string): Promise<string> => {
  const res = await fetch(authorizationUrl, { redirect: "manual", signal: AbortSignal.timeout(5_000) })
  const location = res.headers.get("location")
  if (res.status !== 302 && res.status !== 303) throw new Error(`expected a redirect, got ${res.status}`)
  if (!location) throw new Error("the redirect has no Location")
  return new URL(location).search
}

/** A loopback port nothing listens on (bound, then closed), for transport failures. */
export const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
