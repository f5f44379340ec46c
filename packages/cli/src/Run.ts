/**
 * Runs one parsed command: loads its module, gives it a CommandContext, and turns whatever it
 * throws into one line on stderr (and a JSON error with --json) and an exit code.
 */
import type { CommandContext, Flags } from "./CommandContext.js"
import { ExitCode } from "./ExitCode.js"
import { describe } from "./Failure.js"

type Command = (ctx: CommandContext) => Promise<number | void>

const load = async (name: string): Promise<Command> => {
  switch (name) {
    case "login":
      return (await import("./commands/Login.js")).login
    case "token":
      return (await import("./commands/Token.js")).token
    case "fetch":
      return (await import("./commands/Fetch.js")).fetchCommand
    case "status":
      return (await import("./commands/Status.js")).status
    case "logout":
      return (await import("./commands/Logout.js")).logout
    default:
      throw new Error(`no command ${name}`)
  }
}

export const run = async (
  name: string,
  positionals: ReadonlyArray<string>,
  flags: Flags,
): Promise<number> => {
  const json = flags["json"] === true
  const cleanups: Array<() => Promise<void> | void> = []
  const ctx: CommandContext = {
    positionals,
    flags,
    env: process.env,
    json,
    provider: undefined,
    result: (value, text) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`)
      else if (text !== undefined) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
    },
    say: (text) => process.stderr.write(`${text}\n`),
    onInterrupt: (cleanup) => cleanups.push(cleanup),
  }
  const onSigint = () => {
    process.stderr.write("\ngrantflow: interrupted\n")
    Promise.allSettled(cleanups.map((c) => c())).finally(() => process.exit(ExitCode.interrupted))
  }
  process.once("SIGINT", onSigint)
  try {
    const command = await load(name)
    return (await command(ctx)) ?? ExitCode.ok
  } catch (error) {
    const d = describe(error, ctx.provider)
    process.stderr.write(`grantflow ${name}: ${d.message}\n`)
    if (json)
      process.stdout.write(
        `${JSON.stringify({ error: { tag: d.tag, message: d.message, exitCode: d.exitCode } })}\n`,
      )
    return d.exitCode
  } finally {
    process.off("SIGINT", onSigint)
  }
}
