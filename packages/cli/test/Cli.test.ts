import { spawnSync } from "node:child_process"
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, Cli } from "./support/cli.js"

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

  it("prints help without loading @grantflow/core or effect (they load with the command that needs them)", async () => {
    // The built files alone, where no node_modules can be found: help must still work, a command must not.
    const alone = await mkdtemp(join(tmpdir(), "grantflow-alone-"))
    try {
      await cp(dirname(BIN), join(alone, "dist"), { recursive: true })
      await writeFile(join(alone, "package.json"), JSON.stringify({ type: "module", version: "0.0.0" }))
      const bin = join(alone, "dist", "bin.js")
      const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8", cwd: alone })
      expect(help.status).toBe(0)
      expect(help.stdout).toContain("Usage: grantflow <command>")
      const loginHelp = spawnSync(process.execPath, [bin, "login", "--help"], {
        encoding: "utf8",
        cwd: alone,
      })
      expect(loginHelp.status).toBe(0)
      const status = spawnSync(process.execPath, [bin, "status"], {
        encoding: "utf8",
        cwd: alone,
        env: { PATH: process.env["PATH"] ?? "", HOME: alone },
      })
      expect(status.status).not.toBe(0)
      expect(status.stderr).toMatch(/Cannot find (package|module) '(effect|@grantflow\/core)/)
    } finally {
      await rm(alone, { recursive: true, force: true })
    }
  })
})
