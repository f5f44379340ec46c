import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

describe("grantflow-sandbox command", () => {
  it("starts on PORT, prints the endpoints and default clients, serves, and exits cleanly on SIGTERM", async () => {
    // The command runs from dist, which `pnpm test` (turbo) builds before any test runs. Building it
    // here instead would rewrite dist under the other packages' tests that import the sandbox.
    expect(
      existsSync(join(packageDir, "dist/cli.js")),
      "build the package first: pnpm --filter @grantflow/sandbox build",
    ).toBe(true)

    const child = spawn(process.execPath, ["dist/cli.js"], {
      cwd: packageDir,
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    try {
      let output = ""
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8")
        child.stdout.on("data", (chunk: string) => {
          output += chunk
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
          if (match && output.includes("Ctrl-C")) resolve(match[1]!)
        })
        child.once("exit", (code) => reject(new Error(`exited early with ${code}: ${output}`)))
      })
      expect(output).toContain(`${url}/cryptohopper/oauth2/authorize`)
      expect(output).toContain(`${url}/cryptofuse/o/token/`)
      expect(output).toContain("hopper-app")
      expect(output).toContain("fuse-client")
      expect((await fetch(`${url}/`)).status).toBe(200)

      const exitCode = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
      child.kill("SIGTERM")
      expect(await exitCode).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  }, 30_000)
})
