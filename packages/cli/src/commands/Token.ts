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
    const tokens = await opened.client.getTokenSet(options)
    const accessToken = Redacted.value(tokens.accessToken)
    if (ctx.json) ctx.result({ accessToken, tokenType: tokens.tokenType, ...view(opened.key, tokens) })
    else process.stdout.write(`${accessToken}\n`)
  } finally {
    await opened.client.dispose()
  }
}
