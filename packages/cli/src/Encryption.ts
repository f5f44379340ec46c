/**
 * Encryption at rest of the token files, when `GRANTFLOW_ENCRYPTION_KEY` is set. Uses core's
 * encryption at rest (one implementation for every store); until core offers it, a key that is set
 * is refused rather than ignored, so nobody believes their tokens are encrypted when they are not.
 */
import type { Env } from "./CommandContext.js"
import type { TokenCodec } from "./FileTokenStore.js"
import { UsageError } from "./UsageError.js"

export const codec = async (env: Env): Promise<TokenCodec | undefined> => {
  const key = env["GRANTFLOW_ENCRYPTION_KEY"]
  if (key === undefined || key === "") return undefined
  throw new UsageError(
    "GRANTFLOW_ENCRYPTION_KEY is set, but this build of grantflow cannot encrypt tokens yet",
  )
}
