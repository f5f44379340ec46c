/**
 * A store key (`cryptohopper:hopper-app:user:default`) as a file name: readable where it can be,
 * never a path (`/`), never hidden or special (`.`, `..`), never longer than file systems allow.
 * The key itself is kept inside the file too, and checked on read, so the mapping need not be
 * reversible.
 */
import { createHash } from "node:crypto"

const MAX_READABLE = 180

/** The file name (without extension) for `key`. */
export const of = (key: string): string => {
  const readable = encodeURIComponent(key).replace(
    /[.*'()!~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  if (readable.length <= MAX_READABLE) return readable
  return `sha256-${createHash("sha256").update(key).digest("hex")}`
}
