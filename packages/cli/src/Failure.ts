/**
 * Every way a command can fail, as a one-line message and an exit code. Core's tagged errors are
 * read by tag; none of them carries a secret, and neither does anything written here.
 */
import { ExitCode } from "./ExitCode.js"
import type { ProviderConfig } from "./ProviderConfig.js"

/** A failure the CLI itself decides, with its exit code (a login timeout, an HTTP error status). */
export class CommandFailure extends Error {
  readonly _tag = "CommandFailure"
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}

export interface Described {
  readonly exitCode: number
  readonly tag: string
  readonly message: string
}

type Tagged = Error & { readonly _tag?: string; readonly [field: string]: unknown }

export const describe = (error: unknown, provider: ProviderConfig | undefined): Described => {
  const e = (error instanceof Error ? error : new Error(String(error))) as Tagged
  const name = provider?.name ?? "the provider"
  const tag = e._tag ?? e.name
  const str = (field: string) => (typeof e[field] === "string" ? (e[field] as string) : undefined)
  switch (tag) {
    case "UsageError":
      return { exitCode: ExitCode.usage, tag, message: e.message }
    case "CommandFailure":
      return { exitCode: (e as unknown as CommandFailure).exitCode, tag, message: e.message }
    case "ConfigError":
      return { exitCode: ExitCode.usage, tag, message: str("reason") ?? e.message }
    case "LoginRequired": {
      const why =
        str("reason") === "refresh-token-rejected"
          ? `${name} refused the stored refresh token`
          : str("reason") === "no-refresh-token"
            ? "the session expired and holds no refresh token"
            : `not logged in to ${name}`
      return {
        exitCode: ExitCode.loginRequired,
        tag,
        message: `${why}: run grantflow login ${provider?.name ?? "<provider>"}`,
      }
    }
    case "AuthorizationError":
      return {
        exitCode: ExitCode.authorization,
        tag,
        message: `${name} refused the login: ${str("description") ?? str("error") ?? "no reason given"}`,
      }
    case "StateMismatch":
      return {
        exitCode: ExitCode.authorization,
        tag,
        message: `the callback did not belong to this login (${str("reason")})`,
      }
    case "OAuthServerError": {
      const code = str("error")
      const description = str("description")
      if (code === "invalid_client") {
        return {
          exitCode: ExitCode.failure,
          tag,
          message: `${name} rejected the client credentials (invalid_client${description ? `: ${description}` : ""}); check the client id and ${provider?.secretVariable ?? "the client secret"}`,
        }
      }
      return {
        exitCode: ExitCode.failure,
        tag,
        message: `${name} answered ${code} (HTTP ${String(e["status"])})${description ? `: ${description}` : ""}`,
      }
    }
    case "TransportError":
      return { exitCode: ExitCode.failure, tag, message: `could not reach ${name}: ${e.message}` }
    case "InvalidResponse":
      return {
        exitCode: ExitCode.failure,
        tag,
        message: `${name} gave an answer grantflow cannot read: ${e.message}`,
      }
    case "StoreError":
      return { exitCode: ExitCode.store, tag, message: `token store: ${e.message}` }
    default:
      return { exitCode: ExitCode.failure, tag, message: e.message }
  }
}
