import * as Redacted from "effect/Redacted"

/** A secret given as a plain string or already `Redacted`; grantflow keeps it `Redacted`. */
export type SecretInput = string | Redacted.Redacted<string>

/** Accepts a secret as a plain string or a Redacted and always keeps it Redacted. */
export const toRedacted = (secret: SecretInput): Redacted.Redacted<string> =>
  Redacted.isRedacted(secret) ? (secret as Redacted.Redacted<string>) : Redacted.make(secret as string)

export const toRedactedOrUndefined = (
  secret: SecretInput | undefined | null,
): Redacted.Redacted<string> | undefined =>
  secret === undefined || secret === null ? undefined : toRedacted(secret)
