/**
 * `pnpm demo`: reads the environment, starts the demo (embedded sandbox unless real providers are
 * configured), prints where to go, and stops cleanly on Ctrl-C. A bad configuration stops it
 * before anything starts, with the variables named and exit code 1.
 */
import { lookup } from "node:dns/promises"
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

const badHost = () =>
  fail(
    `grantflow demo: cannot listen on HOST=${config!.host}: it is not an address of this machine; try HOST=127.0.0.1 (or 0.0.0.0 for every interface).`,
  )
// Checked before anything starts: Nest would log its own error (with a stack) for a failed listen.
await lookup(config!.host).catch(badHost)

let demo: Demo
try {
  demo = await startDemo({ ...config!, logger: ["error", "warn"] })
} catch (err) {
  const code = (err as { code?: unknown }).code
  if (code === "EADDRINUSE")
    fail(`grantflow demo: port ${config!.port} is already in use; start it with PORT=<another port>.`)
  if (code === "EACCES")
    fail(`grantflow demo: not allowed to listen on ${config!.host}:${config!.port}; try PORT=3000 or higher.`)
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EADDRNOTAVAIL") badHost()
  if (err instanceof ConfigError) fail(`grantflow demo: cannot start, ${err.message}`)
  // Anything else: one line, not a stack trace (the cause is in the message).
  fail(`grantflow demo: cannot start: ${err instanceof Error ? err.message : String(err)}`)
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
