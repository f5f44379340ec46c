/**
 * `grantflow login <provider> --device`: the device authorization grant (RFC 8628) through core.
 */
import type { TokenSet } from "@grantflow/core"
import type * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { UsageError } from "../UsageError.js"

export const deviceLogin = async (
  ctx: CommandContext,
  _opened: Client.OpenClient,
  _timeoutSeconds: number,
): Promise<TokenSet> => {
  throw new UsageError(
    `${ctx.provider!.name} does not offer the device authorization grant (RFC 8628) here; log in without --device`,
  )
}
