// Finds secrets in every rendering of a value (message, String, JSON.stringify, util.inspect,
// stack, cause), in every spelling a server or a framework could give them.
import { inspect } from "node:util"

const formEncodeUnreserved = (s: string) =>
  [...s]
    .map((ch) =>
      ch === " "
        ? "+"
        : /[A-Za-z0-9\-._~]/.test(ch)
          ? ch
          : [...new TextEncoder().encode(ch)]
              .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
              .join(""),
    )
    .join("")
const formEncodeWhatwg = (s: string) => new URLSearchParams({ s }).toString().slice(2)
const json = (s: string) => JSON.stringify(s).slice(1, -1)
const html = (s: string) =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")
const base64 = (s: string) => Buffer.from(s).toString("base64")

/** Every spelling of a secret that would still disclose it, with the name of the spelling. */
export const spellings = (
  secret: string,
  options: { readonly clientId?: string; readonly fragment?: number } = {},
): ReadonlyArray<readonly [string, string]> => {
  const out = new Map<string, string>()
  const add = (kind: string, value: string) => {
    if (!out.has(value)) out.set(value, kind)
  }
  add("verbatim", secret)
  add("encodeURIComponent", encodeURIComponent(secret))
  add("form-encoded", formEncodeUnreserved(secret))
  add("form-encoded (WHATWG)", formEncodeWhatwg(secret))
  add("JSON-escaped", json(secret))
  add("doubly JSON-escaped", json(json(secret)))
  add("JSON-escaped slashes (PHP)", json(secret).replaceAll("/", "\\/"))
  add("HTML-escaped", html(secret))
  add("HTML-escaped &amp; only", secret.replaceAll("&", "&amp;"))
  add("base64", base64(secret))
  if (options.clientId !== undefined) {
    for (const encode of [formEncodeUnreserved, formEncodeWhatwg, (s: string) => s]) {
      add("in Basic credentials", base64(`${encode(options.clientId)}:${encode(secret)}`))
    }
  }
  // A cut excerpt must not expose a shortened secret either.
  const size = options.fragment ?? 8
  for (let i = 0; i + size <= secret.length; i++) add(`fragment @${i}`, secret.slice(i, i + size))
  return [...out.entries()].map(([value, kind]) => [value, kind] as const)
}

/** The ways a value can be shown: String, JSON.stringify, util.inspect, and for errors message, stack and cause. */
export const renderings = (x: unknown): ReadonlyArray<readonly [string, string]> => {
  let jsonText: string
  try {
    jsonText = JSON.stringify(x) ?? "undefined"
  } catch (e) {
    jsonText = `JSON.stringify threw ${(e as Error).message}`
  }
  let stringText: string
  try {
    stringText = String(x)
  } catch (e) {
    stringText = `String threw ${(e as Error).message}`
  }
  const out: Array<readonly [string, string]> = [
    ["String", stringText],
    ["JSON.stringify", jsonText],
    ["inspect", inspect(x, { depth: 10 })],
  ]
  if (x instanceof Error) {
    out.push(["message", x.message], ["stack", x.stack ?? ""])
    if (x.cause !== undefined) out.push(["cause", inspect(x.cause, { depth: 10 })])
  }
  return out
}

export type Secrets = Readonly<Record<string, string>>

/** Every place a secret shows up in `text`, as `label: name (spelling)`. */
export const leaksIn = (label: string, text: string, secrets: Secrets, clientId?: string): Array<string> => {
  const found: Array<string> = []
  for (const [name, secret] of Object.entries(secrets)) {
    for (const [spelling, kind] of spellings(secret, { clientId })) {
      if (text.includes(spelling)) {
        found.push(`${label}: ${name} (${kind})`)
        break
      }
    }
  }
  return found
}

export const leaksOf = (label: string, x: unknown, secrets: Secrets, clientId?: string): Array<string> =>
  renderings(x).flatMap(([how, text]) => leaksIn(`${label} via ${how}`, text, secrets, clientId))
