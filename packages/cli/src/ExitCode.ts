/**
 * The exit codes of `grantflow`, documented in the README and `grantflow --help`. Scripts can tell
 * "log in again" (3) from "the provider said no" (4) from "the network is down" (1).
 */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** The provider or the network failed: an OAuth error answer (a wrong client secret included), an unreadable answer, no answer. */
  failure: 1,
  /** The command line or the configuration is wrong (unknown provider, missing client id, bad flag). */
  usage: 2,
  /** No usable session: run `grantflow login <provider>` (never logged in, or the refresh token was refused). */
  loginRequired: 3,
  /** The login was refused or did not complete: denied consent, the provider's error (`error=1` included), a foreign callback, a timeout. */
  authorization: 4,
  /** The token store failed: an unreadable or damaged token file, a lock held too long, a missing or wrong encryption key. */
  store: 5,
  /** `fetch`: the API answered with an HTTP error status (the body is still printed). */
  httpError: 6,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
