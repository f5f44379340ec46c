#!/usr/bin/env node
import { startSandbox } from "./Sandbox.js"
import type { ConsentMode } from "./SandboxOptions.js"

const port = Number(process.env.PORT ?? 4010)
const host = process.env.HOST ?? "127.0.0.1"
const consent = (process.env.SANDBOX_CONSENT ?? "page") as ConsentMode

try {
  const sb = await startSandbox({ port, host, consent })
  const lines = [
    `grantflow sandbox listening on ${sb.url} (consent: ${sb.consent})`,
    "",
    "Cryptohopper (authorization code)",
    `  authorize  ${sb.cryptohopper.authorizationEndpoint}`,
    `  token      ${sb.cryptohopper.tokenEndpoint}`,
    `  revoke     ${sb.cryptohopper.revocationEndpoint}`,
    `  api        ${sb.cryptohopper.apiBase}`,
    "Cryptofuse (client credentials)",
    `  base       ${sb.cryptofuse.baseUrl}`,
    `  token      ${sb.cryptofuse.tokenEndpoint}`,
    `  revoke     ${sb.cryptofuse.revocationEndpoint}`,
    `  introspect ${sb.cryptofuse.introspectionEndpoint}`,
    "",
    "Clients (sandbox defaults, not real credentials)",
    ...sb.clients.map(
      (c) =>
        `  ${c.provider.padEnd(12)} id ${c.clientId}  secret ${c.clientSecret}  scopes ${c.scopes.join(",")}` +
        (c.redirectUris.length > 0 ? `\n${" ".repeat(15)}redirect URIs ${c.redirectUris.join(" ")}` : ""),
    ),
    "",
    "Ctrl-C to stop.",
  ]
  process.stdout.write(`${lines.join("\n")}\n`)
  const shutdown = (signal: string) => {
    process.stdout.write(`\n${signal}: stopping\n`)
    sb.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once("SIGINT", () => shutdown("SIGINT"))
  process.once("SIGTERM", () => shutdown("SIGTERM"))
} catch (error) {
  process.stderr.write(
    `grantflow sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
}
