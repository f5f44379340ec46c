/**
 * `grantflow token <provider>`: a valid access token on stdout and nothing else, renewed through
 * core's token lifecycle when it is due (client credentials for a client-credentials provider).
 */
import * as Redacted from "effect/Redacted"
import * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { view } from "../SessionView.js"

export const token = async (ctx: CommandContext): Promise<void> => {
  const opened = await Client.open(ctx)
  try {
    const options =
      opened.provider.grant === "client_credentials" ? { scopes: opened.scopes } : { session: opened.session }
    const accessToken = Redacted.value(await opened.client.getAccessToken(options))
    if (!ctx.json) {
      process.stdout.write(`${accessToken}\n`)
      return
    }
    const tokens = await Client.readSession(opened)
    ctx.result({
      accessToken,
      ...(tokens === undefined ? {} : { tokenType: tokens.tokenType, ...view(opened.key, tokens) }),
    })
  } finally {
    await opened.client.dispose()
  }
}
