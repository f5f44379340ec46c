#!/usr/bin/env node
/**
 * The `grantflow` command. This file loads only `node:util` and the command table: a command's
 * code (and @grantflow/core with it) is imported when that command runs, so `--help` and a
 * mistyped command answer at once.
 */
import { parseArgs } from "node:util"
import { COMMANDS, commandHelp, mainHelp } from "./Commands.js"
import { ExitCode } from "./ExitCode.js"

const write = (stream: NodeJS.WriteStream, text: string) =>
  stream.write(text.endsWith("\n") ? text : `${text}\n`)

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined
    write(process.stdout, topic === undefined ? mainHelp() : commandHelp(topic))
    return name === undefined ? ExitCode.usage : ExitCode.ok
  }
  if (name === "--version" || name === "-V") {
    const { createRequire } = await import("node:module")
    write(process.stdout, (createRequire(import.meta.url)("../package.json") as { version: string }).version)
    return ExitCode.ok
  }
  const spec = COMMANDS.find((c) => c.name === name)
  if (spec === undefined) {
    write(
      process.stderr,
      `grantflow: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(", ")}; see grantflow --help)`,
    )
    return ExitCode.usage
  }
  let parsed
  try {
    parsed = parseArgs({ args: [...rest], options: spec.options, allowPositionals: true, strict: true })
  } catch (error) {
    write(
      process.stderr,
      `grantflow ${name}: ${(error as Error).message.split("\n")[0]} (see grantflow ${name} --help)`,
    )
    return ExitCode.usage
  }
  if (parsed.values["help"] === true) {
    write(process.stdout, commandHelp(spec))
    return ExitCode.ok
  }
  const count = parsed.positionals.length
  if (spec.positionals >= 0 ? count !== spec.positionals : count > 1) {
    write(process.stderr, `grantflow ${name}: wrong number of arguments\nUsage: ${spec.usage}`)
    return ExitCode.usage
  }
  const { run } = await import("./Run.js")
  return run(spec.name, parsed.positionals, parsed.values as Record<string, string | boolean | undefined>)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Run.ts turns every expected failure into a message; this is a bug, said once, without a stack full of paths.
    write(
      process.stderr,
      `grantflow: unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    )
    process.exit(ExitCode.failure)
  },
)
