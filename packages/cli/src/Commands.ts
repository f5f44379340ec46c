/**
 * Every command's options and help text, as data: `bin.ts` parses the command line with it and
 * prints help from it without loading anything else.
 */
import type { ParseArgsOptionsConfig } from "node:util"

export interface CommandSpec {
  readonly name: string
  readonly usage: string
  readonly summary: string
  readonly details: string
  readonly positionals: number
  readonly options: ParseArgsOptionsConfig
  readonly optionHelp: ReadonlyArray<readonly [string, string]>
}

const common = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig

const provider = {
  issuer: { type: "string" },
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  "redirect-uri": { type: "string" },
  grant: { type: "string" },
  session: { type: "string" },
} as const satisfies ParseArgsOptionsConfig

const commonHelp: ReadonlyArray<readonly [string, string]> = [
  ["--json", "print the result as JSON on stdout (errors too)"],
  ["-h, --help", "this help"],
]

const providerHelp: ReadonlyArray<readonly [string, string]> = [
  ["--session <name>", "a named session (several accounts); default: the client's default session"],
  ["--issuer <url>", "a provider by its issuer URL (RFC 8414 / OpenID discovery); or <NAME>_ISSUER"],
  ["--client-id <id>", "or <NAME>_CLIENT_ID (CRYPTOHOPPER_CLIENT_ID, CRYPTOFUSE_CLIENT_ID)"],
  ["--client-secret <s>", "or <NAME>_CLIENT_SECRET (the flag is visible to other local users in ps)"],
  [
    "--redirect-uri <uri>",
    "loopback redirect URI, or <NAME>_REDIRECT_URI (default http://127.0.0.1/callback)",
  ],
  ["--grant client_credentials", "an issuer provider whose tokens come from client credentials"],
]

export const COMMANDS: ReadonlyArray<CommandSpec> = [
  {
    name: "login",
    usage: "grantflow login <provider> [--scopes read,trade] [--no-browser] [--device]",
    summary: "log in through your browser and keep the tokens",
    details:
      "Authorization code + PKCE through a loopback redirect (RFC 8252): listens once on the redirect URI's\n" +
      "loopback address (a free port where the provider allows any), opens your browser (or prints the URL),\n" +
      "takes the one callback and stores the tokens. --device uses the device authorization grant (RFC 8628)\n" +
      "where the provider offers it. For a client-credentials provider (cryptofuse) it gets and stores a token.",
    positionals: 1,
    options: {
      ...common,
      ...provider,
      scopes: { type: "string" },
      "no-browser": { type: "boolean" },
      device: { type: "boolean" },
      timeout: { type: "string" },
    },
    optionHelp: [
      ["--scopes <a,b>", "scopes to ask for, comma or space separated"],
      ["--no-browser", "print the URL instead of opening a browser"],
      ["--device", "device authorization grant: enter a code on any device"],
      ["--timeout <seconds>", "how long to wait for the browser (default 300)"],
      ...providerHelp,
      ...commonHelp,
    ],
  },
  {
    name: "token",
    usage: "grantflow token <provider> [--scopes read]",
    summary: "print a valid access token on stdout (renewed when due)",
    details:
      "Prints the access token and nothing else, so that\n" +
      '  curl -H "access-token: $(grantflow token cryptohopper)" …\n' +
      "works. The token is renewed first when it is due (refresh token, or client credentials for\n" +
      "cryptofuse); two grantflow processes never renew one session at once.",
    positionals: 1,
    options: { ...common, ...provider, scopes: { type: "string" } },
    optionHelp: [
      ["--scopes <a,b>", "client credentials: the token's scopes"],
      ...providerHelp,
      ...commonHelp,
    ],
  },
  {
    name: "fetch",
    usage: "grantflow fetch <provider> <path> [-X METHOD] [--data JSON]",
    summary: "call the provider's API with the token attached and print the JSON",
    details:
      "The token goes where the provider wants it (Cryptohopper: access-token header; others: Bearer).\n" +
      "A token the API refuses is renewed once and the call repeated. <path> is relative to the provider's\n" +
      "API base (e.g. /hopper) or an absolute URL on the provider's own hosts.",
    positionals: 2,
    options: {
      ...common,
      ...provider,
      scopes: { type: "string" },
      request: { type: "string", short: "X" },
      data: { type: "string", short: "d" },
    },
    optionHelp: [
      ["-X, --request <METHOD>", "HTTP method (default GET, or POST with --data)"],
      ["-d, --data <json>", "a JSON request body"],
      ["--scopes <a,b>", "client credentials: the token's scopes"],
      ...providerHelp,
      ...commonHelp,
    ],
  },
  {
    name: "status",
    usage: "grantflow status [<provider>]",
    summary: "list your sessions (never a token)",
    details: "Provider, client, session, scopes, expiry and whether a refresh token is held.",
    positionals: -1,
    options: { ...common },
    optionHelp: commonHelp,
  },
  {
    name: "logout",
    usage: "grantflow logout <provider>",
    summary: "revoke the tokens where the provider can, and forget them",
    details:
      "Revokes (RFC 7009) where the provider has a revocation endpoint, then deletes the session.\n" +
      "The tokens are forgotten even when revoking fails (you are told).",
    positionals: 1,
    options: { ...common, ...provider, scopes: { type: "string" } },
    optionHelp: [
      ["--scopes <a,b>", "client credentials: only the token of these scopes"],
      ...providerHelp,
      ...commonHelp,
    ],
  },
]

const pad = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2
  return rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`).join("\n")
}

export const mainHelp = (): string =>
  `grantflow: OAuth 2.0 from the terminal

Usage: grantflow <command> [options]

Commands:
${pad(COMMANDS.map((c) => [c.name, c.summary]))}

Providers: cryptohopper, cryptofuse, or any name with --issuer <url>.

Configuration (environment):
  CRYPTOHOPPER_CLIENT_ID, CRYPTOHOPPER_CLIENT_SECRET, CRYPTOHOPPER_REDIRECT_URI
  CRYPTOFUSE_CLIENT_ID, CRYPTOFUSE_CLIENT_SECRET, CRYPTOFUSE_BASE_URL
  <NAME>_ISSUER, <NAME>_CLIENT_ID, <NAME>_CLIENT_SECRET, <NAME>_REDIRECT_URI   (other providers)
  GRANTFLOW_SANDBOX_URL     point cryptohopper and cryptofuse at a running @grantflow/sandbox
  GRANTFLOW_ENCRYPTION_KEY  encrypt the stored tokens (32 bytes, base64)
  XDG_STATE_HOME            tokens live in $XDG_STATE_HOME/grantflow (default ~/.local/state/grantflow)

Exit codes:
  0 ok · 1 provider or network error · 2 usage or configuration · 3 login required
  4 login refused or not completed · 5 token store error · 6 fetch: HTTP error status · 130 interrupted

Run grantflow <command> --help for a command's options.`

export const commandHelp = (spec: CommandSpec): string =>
  `Usage: ${spec.usage}

${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.

${spec.details}

Options:
${pad(spec.optionHelp)}`
