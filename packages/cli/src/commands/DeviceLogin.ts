/**
 * `grantflow login <provider> --device`: the device authorization grant (RFC 8628) through core.
 * The person opens the verification URI on any device (this machine needs no browser and no
 * listener) and enters the code shown; the command polls until they approve, deny, or the code
 * expires, and stores the tokens as the session.
 */
import type { TokenSet } from "@grantflow/core"
import * as Browser from "../Browser.js"
import type * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { ExitCode } from "../ExitCode.js"
import { CommandFailure } from "../Failure.js"
import * as Spinner from "../Spinner.js"
import { UsageError } from "../UsageError.js"

export const deviceLogin = async (
  ctx: CommandContext,
  opened: Client.OpenClient,
  timeoutSeconds: number,
): Promise<TokenSet> => {
  const { client, provider } = opened
  const name = ctx.provider!.name
  if (provider.endpoints.deviceAuthorization === undefined) {
    throw new UsageError(
      `${name} does not offer the device authorization grant (RFC 8628): log in without --device`,
    )
  }
  const grant = await client.deviceAuthorization({ scopes: opened.scopes })
  const minutes = Math.max(1, Math.round((grant.expiresAt.getTime() - Date.now()) / 60_000))
  ctx.say(
    `To log in to ${name}, open ${grant.verificationUri} on any device and enter the code\n\n  ${grant.userCode}\n` +
      (grant.verificationUriComplete === undefined ? "" : `\n(or open ${grant.verificationUriComplete})\n`),
  )
  if (ctx.flags["no-browser"] !== true)
    await Browser.open(grant.verificationUriComplete ?? grant.verificationUri)

  const stop = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    stop.abort()
  }, timeoutSeconds * 1000)
  ctx.onInterrupt(() => stop.abort())
  const spinner = Spinner.start(
    `Waiting for the approval of code ${grant.userCode} (expires in ${minutes} min; Ctrl-C to cancel)`,
  )
  try {
    return await client.pollDeviceAuthorization(grant, { signal: stop.signal, session: opened.session })
  } catch (error) {
    if (timedOut)
      throw new CommandFailure(
        `the code was not approved within ${timeoutSeconds} s; run grantflow login --device again`,
        ExitCode.authorization,
      )
    const e = error as { _tag?: string; error?: string }
    if (e._tag === "AuthorizationError" && e.error === "expired_token") {
      throw new CommandFailure(
        `the code ${grant.userCode} expired before it was approved; run grantflow login --device again`,
        ExitCode.authorization,
      )
    }
    throw error
  } finally {
    clearTimeout(timer)
    spinner.stop()
  }
}
