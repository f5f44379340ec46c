import { DEFAULT_CLIENTS, type SandboxClient } from "./Clients.js"

/** How the Cryptohopper authorize endpoint asks for consent. */
export type ConsentMode = "page" | "approve" | "deny"

/** Options for {@link startSandbox}. Every field is optional. */
export interface SandboxOptions {
  /** Port to listen on; default 0 (any free port). */
  readonly port?: number
  /** Interface to bind; default "127.0.0.1". */
  readonly host?: string
  /** Registered clients; default {@link DEFAULT_CLIENTS}. */
  readonly clients?: ReadonlyArray<SandboxClient>
  /** "page" shows an HTML consent page; "approve"/"deny" redirect at once (for tests). Default "page". */
  readonly consent?: ConsentMode
  /** Access token lifetimes in seconds; defaults 31536000 (Cryptohopper, about a year) and 36000 (Cryptofuse). */
  readonly accessTokenTtlSeconds?: { readonly cryptohopper?: number; readonly cryptofuse?: number }
  /**
   * Default false, as Cryptohopper: a refresh returns no new refresh_token and the old one stays
   * valid. When true a refresh returns a new refresh_token and the used one is revoked.
   */
  readonly rotateRefreshTokens?: boolean
  /** The query parameter that carries Cryptohopper's human error message on the callback; default "message". */
  readonly callbackMessageParam?: "message" | "error_description"
  /** Send Cryptohopper's `expires_in` as a string, as its docs show; default false (integer). */
  readonly expiresInAsString?: boolean
  /** Send Cryptohopper's `token_type` as "bearer"; default false ("Bearer"). */
  readonly lowercaseTokenType?: boolean
  /** Lifetime of Cryptohopper authorization codes in seconds; default 60. */
  readonly codeTtlSeconds?: number
  /** The clock, in epoch milliseconds; default `Date.now`. Lets tests move time without waiting. */
  readonly now?: () => number
}

/** {@link SandboxOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly port: number
  readonly host: string
  readonly clients: ReadonlyArray<SandboxClient>
  readonly consent: ConsentMode
  readonly accessTokenTtlSeconds: { readonly cryptohopper: number; readonly cryptofuse: number }
  readonly rotateRefreshTokens: boolean
  readonly callbackMessageParam: "message" | "error_description"
  readonly expiresInAsString: boolean
  readonly lowercaseTokenType: boolean
  readonly codeTtlSeconds: number
  readonly now: () => number
}

const nonNegative = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a number >= 0`)
  }
  return value
}

const oneOf = <T extends string>(
  name: string,
  value: T | undefined,
  allowed: ReadonlyArray<T>,
  fallback: T,
): T => {
  if (value === undefined) return fallback
  if (!allowed.includes(value)) throw new TypeError(`${name} must be one of ${allowed.join(", ")}`)
  return value
}

/** The consent modes, for validation. */
export const CONSENT_MODES: ReadonlyArray<ConsentMode> = ["page", "approve", "deny"]

/** Fills in defaults and refuses nonsensical values with a TypeError. */
export const resolveOptions = (options: SandboxOptions = {}): ResolvedOptions => {
  const port = nonNegative("port", options.port, 0)
  if (!Number.isInteger(port) || port > 65535) throw new TypeError("port must be an integer from 0 to 65535")
  return {
    port,
    host: options.host ?? "127.0.0.1",
    clients: options.clients ?? DEFAULT_CLIENTS,
    consent: oneOf("consent", options.consent, CONSENT_MODES, "page"),
    accessTokenTtlSeconds: {
      cryptohopper: nonNegative(
        "accessTokenTtlSeconds.cryptohopper",
        options.accessTokenTtlSeconds?.cryptohopper,
        31_536_000,
      ),
      cryptofuse: nonNegative(
        "accessTokenTtlSeconds.cryptofuse",
        options.accessTokenTtlSeconds?.cryptofuse,
        36_000,
      ),
    },
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    callbackMessageParam: oneOf(
      "callbackMessageParam",
      options.callbackMessageParam,
      ["message", "error_description"],
      "message",
    ),
    expiresInAsString: options.expiresInAsString ?? false,
    lowercaseTokenType: options.lowercaseTokenType ?? false,
    codeTtlSeconds: nonNegative("codeTtlSeconds", options.codeTtlSeconds, 60),
    now: options.now ?? Date.now,
  }
}
