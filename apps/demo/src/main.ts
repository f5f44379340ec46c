/**
 * `pnpm demo`: reads the environment, starts the demo (embedded sandbox unless real providers are
 * configured), prints where to go, and stops cleanly on Ctrl-C. A bad configuration stops it
 * before anything starts, with the variables named and exit code 1.
 */
import { ConfigError } from "@grantflow/core"
import { ConfigProblems, loadConfig, type DemoConfig } from "./config.js"
import { type Demo, startDemo } from "./start-demo.js"

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

const banner = (demo: Demo, config: DemoConfig): string => {
  const ttl = "tokens live 60 s here, so you can watch the page refresh them"
  const hopper =
    demo.modes.cryptohopper === "sandbox"
      ? `embedded sandbox (consent page at ${demo.sandbox?.url}), ${ttl}`
      : `real provider, redirect URI ${config.cryptohopper.kind === "real" ? config.cryptohopper.redirectUri : ""}`
  const fuse =
    demo.modes.cryptofuse === "sandbox"
      ? "embedded sandbox"
      : `real provider at ${config.cryptofuse.kind === "real" ? config.cryptofuse.baseUrl : ""}`
  return [
    "",
    `  grantflow demo is running at ${demo.url}`,
    "",
    `  Cryptohopper (authorization code):  ${hopper}`,
    `  Cryptofuse (client credentials):    ${fuse}`,
    "",
    `  Open ${demo.url} and click "Connect Cryptohopper", then Approve (or Deny) on the consent page.`,
    "  Call the APIs; near the end of the countdown the page refreshes the token by itself (once for",
    "  all its open tabs). Disconnect revokes.",
    "  Press Ctrl-C to stop.",
    "",
  ].join("\n")
}

let config: DemoConfig
try {
  config = loadConfig(process.env)
} catch (err) {
  if (err instanceof ConfigProblems) fail(err.report())
  throw err
}

let demo: Demo
try {
  demo = await startDemo({ ...config!, logger: ["error", "warn"] })
} catch (err) {
  const code = (err as { code?: unknown }).code
  if (code === "EADDRINUSE")
    fail(`grantflow demo: port ${config!.port} is already in use; start it with PORT=<another port>.`)
  if (code === "EACCES")
    fail(`grantflow demo: not allowed to listen on ${config!.host}:${config!.port}; try PORT=3000 or higher.`)
  if (err instanceof ConfigError) fail(`grantflow demo: cannot start, ${err.message}`)
  throw err
}

process.stdout.write(`${banner(demo!, config!)}\n`)

const stop = (signal: NodeJS.Signals): void => {
  process.stdout.write(`\n  ${signal}: stopping the demo...\n`)
  // A browser holding a connection open must not keep the demo alive.
  setTimeout(() => process.exit(0), 5_000).unref()
  demo.close().then(
    () => process.exit(0),
    (err: unknown) => fail(`grantflow demo: error while stopping: ${String(err)}`),
  )
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
