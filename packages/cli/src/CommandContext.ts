/**
 * What a command gets: its arguments, the environment, and the two output channels. stdout carries
 * the result only (a token, JSON, a table) so that scripts can capture it; messages for the person
 * go to stderr.
 */
import type { ProviderConfig } from "./ProviderConfig.js"

export type Env = Readonly<Record<string, string | undefined>>
export type Flags = Readonly<Record<string, string | boolean | undefined>>

export interface CommandContext {
  readonly positionals: ReadonlyArray<string>
  readonly flags: Flags
  readonly env: Env
  /** `--json` was given. */
  readonly json: boolean
  /** The provider of the command, once resolved (error messages name it). */
  provider: ProviderConfig | undefined
  /** Prints the result: `value` as JSON with --json, else `text` (when given). */
  readonly result: (value: unknown, text?: string) => void
  /** A line for the person, on stderr. */
  readonly say: (text: string) => void
  /** Registers cleanup to run on Ctrl-C before exiting. */
  readonly onInterrupt: (cleanup: () => Promise<void> | void) => void
}
