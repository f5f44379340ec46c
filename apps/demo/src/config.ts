/**
 * The demo's whole configuration, read from the environment in one place. Each provider is either
 * the embedded sandbox (none of its variables set) or the real provider (all of them set, and
 * valid); anything in between stops the demo before it starts, naming the variable. Values are
 * never echoed back: a misplaced secret must not end up in a terminal or a CI log.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env) // throws ConfigProblems listing every bad variable
 * ```
 */
import * as Redacted from "effect/Redacted"

/** The Cryptohopper side: the embedded sandbox, or the real provider with this app's credentials. */
export type HopperConfig =
  | { readonly kind: "sandbox" }
  | {
      readonly kind: "real"
      readonly clientId: string
      readonly clientSecret: Redacted.Redacted<string>
      /** Where Cryptohopper sends the browser back; its path is always {@link CALLBACK_PATH}. */
      readonly redirectUri: string
    }

/** The Cryptofuse side: the embedded sandbox, or the real provider at `baseUrl`. */
export type FuseConfig =
  | { readonly kind: "sandbox" }
  | {
      readonly kind: "real"
      readonly clientId: string
      readonly clientSecret: Redacted.Redacted<string>
      readonly baseUrl: string
    }

/** The checked configuration `startDemo` runs with. */
export interface DemoConfig {
  readonly port: number
  /** Interface to listen on; loopback by default, so the demo is not reachable from the network. */
  readonly host: string
  /** Signs the session cookie; `undefined` means "generate one for this run" (sandbox only). */
  readonly sessionSecret: Redacted.Redacted<string> | undefined
  readonly cryptohopper: HopperConfig
  readonly cryptofuse: FuseConfig
}

/** The route Cryptohopper redirects back to; a real redirect URI must end in it. */
export const CALLBACK_PATH = "/auth/cryptohopper/callback"

/** Where the demo listens when `PORT` / `HOST` are not set. */
export const DEFAULT_PORT = 3000
export const DEFAULT_HOST = "127.0.0.1"
const MIN_SECRET_LENGTH = 32

/** One bad variable and what is wrong with it, in words a person can act on. */
export interface ConfigProblem {
  readonly variable: string
  readonly message: string
}

/** Thrown by {@link loadConfig}: every problem found, not just the first. */
export class ConfigProblems extends Error {
  override readonly name = "ConfigProblems"
  constructor(readonly problems: ReadonlyArray<ConfigProblem>) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join("; "))
  }

  /** The text the demo prints before exiting. */
  report(): string {
    // The way back to the embedded sandbox only helps when a provider's variables are the problem.
    const providerProblem = this.problems.some((p) => /^CRYPTO(HOPPER|FUSE)_/.test(p.variable))
    return [
      "grantflow demo: cannot start, the configuration is invalid:",
      ...this.problems.map((p) => `  - ${p.variable}: ${p.message}`),
      ...(providerProblem
        ? ["", "Unset every CRYPTOHOPPER_* and CRYPTOFUSE_* variable to run on the embedded sandbox."]
        : []),
    ].join("\n")
  }
}

type Env = Readonly<Record<string, string | undefined>>

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"])

/** An absolute http(s) URL without credentials, query or fragment; https unless the host is loopback. */
const checkUrl = (raw: string): string | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return "is not a valid absolute URL"
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http(s) URL"
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    return "must use https (plain http is only accepted for localhost)"
  }
  if (url.username !== "" || url.password !== "") return "must not contain credentials"
  if (url.search !== "" || url.hash !== "") return "must not have a query or a fragment"
  return undefined
}

/**
 * Reads a provider's variables: `undefined` when none is set (sandbox), the values when all are
 * set and non-empty, otherwise a problem per missing or empty one.
 */
const readGroup = <K extends string>(
  env: Env,
  names: ReadonlyArray<K>,
  problems: Array<ConfigProblem>,
): Record<K, string> | undefined => {
  const present = names.filter((n) => env[n] !== undefined)
  if (present.length === 0) return undefined
  const together = `set ${names.slice(0, -1).join(", ")} and ${names.at(-1)} together, or none of them to use the embedded sandbox`
  const values = {} as Record<K, string>
  let complete = true
  for (const name of names) {
    const value = env[name]?.trim()
    if (value === undefined) {
      problems.push({ variable: name, message: `is missing (${together})` })
      complete = false
    } else if (value === "") {
      problems.push({ variable: name, message: `is empty (${together})` })
      complete = false
    } else {
      values[name] = value
    }
  }
  return complete ? values : undefined
}

const checkClientId = (variable: string, value: string, problems: Array<ConfigProblem>): void => {
  if (/\s/.test(value)) problems.push({ variable, message: "must not contain whitespace" })
}

const readHopper = (env: Env, problems: Array<ConfigProblem>): HopperConfig | undefined => {
  const before = problems.length
  const names = ["CRYPTOHOPPER_CLIENT_ID", "CRYPTOHOPPER_CLIENT_SECRET", "CRYPTOHOPPER_REDIRECT_URI"] as const
  const group = readGroup(env, names, problems)
  if (group === undefined) return names.some((n) => env[n] !== undefined) ? undefined : { kind: "sandbox" }
  checkClientId("CRYPTOHOPPER_CLIENT_ID", group.CRYPTOHOPPER_CLIENT_ID, problems)
  const uriProblem = checkUrl(group.CRYPTOHOPPER_REDIRECT_URI)
  if (uriProblem !== undefined) {
    problems.push({ variable: "CRYPTOHOPPER_REDIRECT_URI", message: uriProblem })
  } else if (new URL(group.CRYPTOHOPPER_REDIRECT_URI).pathname !== CALLBACK_PATH) {
    problems.push({
      variable: "CRYPTOHOPPER_REDIRECT_URI",
      message: `must point at this app's callback, e.g. http://localhost:3000${CALLBACK_PATH} (the path must be ${CALLBACK_PATH})`,
    })
  }
  if (problems.length > before) return undefined
  return {
    kind: "real",
    clientId: group.CRYPTOHOPPER_CLIENT_ID,
    clientSecret: Redacted.make(group.CRYPTOHOPPER_CLIENT_SECRET),
    redirectUri: group.CRYPTOHOPPER_REDIRECT_URI,
  }
}

const readFuse = (env: Env, problems: Array<ConfigProblem>): FuseConfig | undefined => {
  const before = problems.length
  const names = ["CRYPTOFUSE_CLIENT_ID", "CRYPTOFUSE_CLIENT_SECRET", "CRYPTOFUSE_BASE_URL"] as const
  const group = readGroup(env, names, problems)
  if (group === undefined) return names.some((n) => env[n] !== undefined) ? undefined : { kind: "sandbox" }
  checkClientId("CRYPTOFUSE_CLIENT_ID", group.CRYPTOFUSE_CLIENT_ID, problems)
  const urlProblem = checkUrl(group.CRYPTOFUSE_BASE_URL)
  if (urlProblem !== undefined) problems.push({ variable: "CRYPTOFUSE_BASE_URL", message: urlProblem })
  if (problems.length > before) return undefined
  return {
    kind: "real",
    clientId: group.CRYPTOFUSE_CLIENT_ID,
    clientSecret: Redacted.make(group.CRYPTOFUSE_CLIENT_SECRET),
    baseUrl: group.CRYPTOFUSE_BASE_URL.replace(/\/+$/, ""),
  }
}

const readPort = (env: Env, problems: Array<ConfigProblem>): number => {
  const raw = env.PORT?.trim()
  if (raw === undefined || raw === "") return DEFAULT_PORT
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(port >= 0 && port <= 65535)) {
    problems.push({
      variable: "PORT",
      message: "must be a whole number from 0 to 65535 (0 picks a free port)",
    })
    return DEFAULT_PORT
  }
  return port
}

const readHost = (env: Env, problems: Array<ConfigProblem>): string => {
  const raw = env.HOST?.trim()
  if (raw === undefined || raw === "") return DEFAULT_HOST
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(raw)) {
    problems.push({ variable: "HOST", message: "must be a host name or an IP address, e.g. 127.0.0.1" })
  }
  return raw
}

/**
 * Reads and checks the demo's environment: `PORT`, `HOST`, `SESSION_SECRET` and the two provider
 * groups. Throws {@link ConfigProblems} naming every variable that is wrong.
 */
export const loadConfig = (env: Env): DemoConfig => {
  const problems: Array<ConfigProblem> = []
  const port = readPort(env, problems)
  const host = readHost(env, problems)
  const cryptohopper = readHopper(env, problems)
  const cryptofuse = readFuse(env, problems)

  const anyReal =
    cryptohopper?.kind === "real" ||
    cryptofuse?.kind === "real" ||
    cryptohopper === undefined ||
    cryptofuse === undefined
  const secret = env.SESSION_SECRET
  if (secret === undefined || secret === "") {
    // Sessions hold real users' connections once a real provider is configured: a secret that
    // changes on every start would log everyone out, and a fixed default would be public.
    if (anyReal) {
      problems.push({
        variable: "SESSION_SECRET",
        message: `is required with a real provider: ${MIN_SECRET_LENGTH} or more random characters, e.g. from \`openssl rand -hex 32\``,
      })
    }
  } else if (secret.length < MIN_SECRET_LENGTH) {
    problems.push({
      variable: "SESSION_SECRET",
      message: `is too short: use ${MIN_SECRET_LENGTH} or more random characters, e.g. from \`openssl rand -hex 32\``,
    })
  }

  if (problems.length > 0 || cryptohopper === undefined || cryptofuse === undefined) {
    throw new ConfigProblems(problems)
  }
  return {
    port,
    host,
    sessionSecret: secret === undefined || secret === "" ? undefined : Redacted.make(secret),
    cryptohopper,
    cryptofuse,
  }
}
