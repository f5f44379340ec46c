/**
 * `grantflow login <provider>`: authorization code + PKCE through a loopback redirect (RFC 8252),
 * the device authorization grant with `--device`, or, for a client-credentials provider, a first
 * token (which also checks the credentials). The tokens go to the file store as the session.
 */
import type { OAuthClient, TokenSet } from "@grantflow/core"
import * as Browser from "../Browser.js"
import { callbackPage } from "../CallbackPage.js"
import * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { ExitCode } from "../ExitCode.js"
import { CommandFailure, describe } from "../Failure.js"
import * as LoopbackServer from "../LoopbackServer.js"
import { relative, view } from "../SessionView.js"
import * as Spinner from "../Spinner.js"
import { UsageError } from "../UsageError.js"

const DEFAULT_TIMEOUT_S = 300

const timeoutSeconds = (ctx: CommandContext): number => {
  const raw = ctx.flags["timeout"]
  if (raw === undefined) return DEFAULT_TIMEOUT_S
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError("--timeout must be a positive number of seconds")
  return n
}

const within = <A>(promise: Promise<A>, seconds: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CommandFailure(
            `${what} within ${seconds} s; run grantflow login again`,
            ExitCode.authorization,
          ),
        ),
      seconds * 1000,
    )
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

const report = (ctx: CommandContext, opened: Client.OpenClient, tokens: TokenSet, how: string) => {
  const v = view(opened.key, tokens)
  const scopes = v.scopes.length === 0 ? "no scopes named" : `scopes ${v.scopes.join(",")}`
  ctx.result(
    { ok: true, ...v },
    `${how} ${ctx.provider!.name} (${scopes}; ${relative(v.expiresAt)}${v.refreshToken ? "; refresh token held" : ""})`,
  )
}

const loopbackLogin = async (ctx: CommandContext, opened: Client.OpenClient, client: OAuthClient) => {
  const config = ctx.provider!
  const seconds = timeoutSeconds(ctx)
  if (config.redirectUri === undefined)
    throw new UsageError(`${config.name} has no redirect URI: pass --redirect-uri`)
  const server = await LoopbackServer.start(config.redirectUri, config.anyLoopbackPort)
  ctx.onInterrupt(() => server.close())
  try {
    const request = await client.authorizationUrl({ scopes: opened.scopes, redirectUri: server.redirectUri })
    server.expect(request.state)
    ctx.say(`Open this URL in your browser to log in to ${config.name}:\n\n  ${request.url}\n`)
    if (ctx.flags["no-browser"] !== true && !(await Browser.open(request.url))) {
      ctx.say("(No browser could be started: open the URL above yourself.)")
    }
    const spinner = Spinner.start(
      `Waiting for the browser to come back to ${server.redirectUri} (Ctrl-C to cancel)`,
    )
    let callback: LoopbackServer.Callback
    try {
      callback = await within(server.callback, seconds, "the browser did not come back")
    } finally {
      spinner.stop()
    }
    let tokens: TokenSet
    try {
      tokens = await client.handleCallback(callback.url, { session: opened.session })
    } catch (error) {
      const d = describe(error, config)
      await callback.respond(400, callbackPage(false, `Login to ${config.name} failed`, d.message))
      throw error
    }
    await callback.respond(
      200,
      callbackPage(
        true,
        `Logged in to ${config.name}`,
        "grantflow received your authorization and stored the tokens.",
      ),
    )
    report(ctx, opened, tokens, "Logged in to")
  } finally {
    await server.close()
  }
}

export const login = async (ctx: CommandContext): Promise<number | void> => {
  const opened = await Client.open(ctx)
  const { client, provider } = opened
  try {
    if (ctx.flags["device"] === true) {
      const { deviceLogin } = await import("./DeviceLogin.js")
      const tokens = await deviceLogin(ctx, opened, timeoutSeconds(ctx))
      return report(ctx, opened, tokens, "Logged in to")
    }
    if (provider.grant === "client_credentials") {
      const tokens = await client.getTokenSet({ scopes: opened.scopes })
      return report(ctx, opened, tokens, "Got a client-credentials token from")
    }
    await loopbackLogin(ctx, opened, client)
  } finally {
    await client.dispose()
  }
}
