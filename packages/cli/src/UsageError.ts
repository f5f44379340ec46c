/** A wrong command line or configuration, found by the CLI itself (exit code 2). */
export class UsageError extends Error {
  readonly _tag = "UsageError"
  override readonly name = "UsageError"
}
