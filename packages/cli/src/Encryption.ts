/**
 * `GRANTFLOW_ENCRYPTION_KEY`: the keys that encrypt the token files at rest, through core's
 * `encryptedTokenStore`. One key (32 bytes, base64: `openssl rand -base64 32`), or for rotation a
 * list `new-id:newkey,old-id:oldkey` whose first key seals and every key opens. A bare key has the
 * id `default`. A malformed key is core's ConfigError (exit code 2), never silently ignored.
 */
import type { EncryptionOptions } from "@grantflow/core"
import * as Redacted from "effect/Redacted"
import type { Env } from "./CommandContext.js"

export const DEFAULT_KEY_ID = "default"

export const encryptionOptions = (env: Env): EncryptionOptions | undefined => {
  const raw = env["GRANTFLOW_ENCRYPTION_KEY"]?.trim()
  if (raw === undefined || raw === "") return undefined
  return {
    keys: raw.split(",").map((entry) => {
      const colon = entry.indexOf(":")
      return colon < 0
        ? { id: DEFAULT_KEY_ID, key: Redacted.make(entry.trim()) }
        : { id: entry.slice(0, colon).trim(), key: Redacted.make(entry.slice(colon + 1).trim()) }
    }),
  }
}
