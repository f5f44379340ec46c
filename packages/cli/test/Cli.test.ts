import { describe, expect, it } from "vitest"
import { Cli } from "./support/cli.js"

const COMMANDS = ["login", "token", "fetch", "status", "logout"]

describe("the grantflow command line", () => {
  it("has --help for every command, on stdout with exit code 0", async () => {
    const cli = await Cli.make({})
    try {
      const main = await cli.run(["--help"])
      expect(main.code).toBe(0)
      for (const name of COMMANDS) expect(main.stdout).toContain(`  ${name} `)
      expect(main.stdout).toContain("Exit codes:")
      for (const name of COMMANDS) {
        const help = await cli.run([name, "--help"])
        expect(help.code, name).toBe(0)
        expect(help.stdout).toMatch(new RegExp(`^Usage: grantflow ${name}`))
      }
    } finally {
      await cli.cleanup()
    }
  })

  it("answers a mistyped command or flag with exit code 2 and one line on stderr", async () => {
    const cli = await Cli.make({})
    try {
      const command = await cli.run(["logn", "cryptohopper"])
      expect(command.code).toBe(2)
      expect(command.stderr.trim().split("\n")).toHaveLength(1)
      expect(command.stderr).toContain('unknown command "logn"')
      const flag = await cli.run(["token", "cryptohopper", "--colour"])
      expect(flag.code).toBe(2)
      expect(flag.stderr).toContain("--colour")
      const missing = await cli.run(["fetch", "cryptohopper"])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain("Usage: grantflow fetch <provider> <path>")
      const none = await cli.run([])
      expect(none.code).toBe(2)
    } finally {
      await cli.cleanup()
    }
  })

  it("does not load @grantflow/core to print help", async () => {
    const cli = await Cli.make({})
    try {
      // NODE_DEBUG=esm makes Node report every module it loads; help must stay on the command table.
      const help = await cli.run(["--help"], { NODE_DEBUG: "esm" })
      expect(help.code).toBe(0)
      expect(help.stderr).toContain("dist/Commands.js")
      const status = await cli.run(["status"], { NODE_DEBUG: "esm" })
      expect(status.stderr).toMatch(/effect[/\\]dist/)
      expect(help.stderr).not.toContain("@grantflow/core")
      expect(help.stderr).not.toMatch(/effect[/\\]dist/)
    } finally {
      await cli.cleanup()
    }
  })
})
