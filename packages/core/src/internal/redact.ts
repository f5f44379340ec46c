/**
 * Scrubbing of server-controlled text before it goes into an error or a token set: a broken
 * token response is exactly where an access token, a refresh token or an echoed client secret
 * shows up, in whatever spelling the server's framework gave it.
 *
 * Three layers, each catching what the one before cannot:
 * 1. Known values (what the client sent, what the server issued in this answer) are removed in
 *    every common spelling: verbatim, percent- and form-encoded, JSON-escaped (also twice, with
 *    PHP's `\/` and `\uXXXX`), HTML-escaped, base64, and combinations of two of these.
 * 2. Whatever follows a secret-looking name (`access_token`, `refreshToken`, `client_secret`,
 *    `code`, ...) in JSON, form, header or `key: value` text is removed, whatever its shape:
 *    a string (also cut off), an array, an object, a bare word.
 * 3. Anything that looks like a token on its own (a long run of base64-ish characters, a run
 *    mixing letters and digits, a long mixed-case run) is removed.
 */
import { base64, formUrlEncode } from "./encoding.js"

const REDACTED = "<redacted>"

/** Secrets shorter than this are not scrubbed by value: removing every "ab" would wreck the text. */
const MIN_SECRET_LENGTH = 4

// ---------------------------------------------------------------------------------------------
// Names

const SECRET_NAME =
  /token|secret|password|passwd|passphrase|assertion|verifier|credential|apikey|privatekey|jwt|cookie|sessionid|^code$|authcode|authorizationcode|devicecode|usercode|^otp$|^authorization$|^proxyauthorization$/
const NOT_SECRET_NAME =
  /type$|typehint$|hint$|expire|expiry|lifetime|ttl$|endpoint|uri$|url$|supported|methods?$|count$|length$/

const normalizeName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "")

/** Whether a field called `name` (in any case or separator style) holds a secret. */
export const isSecretName = (name: string): boolean => {
  const n = normalizeName(name)
  return SECRET_NAME.test(n) && !NOT_SECRET_NAME.test(n)
}

// ---------------------------------------------------------------------------------------------
// Spellings of a known value

const json = (s: string): string => JSON.stringify(s).slice(1, -1)
const hex4 = (c: string) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")
const ENCODERS: ReadonlyArray<(s: string) => string> = [
  encodeURIComponent,
  formUrlEncode,
  (s) => new URLSearchParams({ s }).toString().slice(2),
  json,
  // PHP's json_encode escapes `/` and non-ASCII by default.
  (s) => json(s).replace(/\//g, "\\/"),
  (s) => json(s).replace(/[\u007f-\uffff]/g, hex4),
  (s) =>
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;"),
  (s) => s.replace(/[&<>"'/]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
  (s) => s.replace(/[&<>"'/]/g, (c) => `&#${c.charCodeAt(0)};`),
  (s) => base64(new TextEncoder().encode(s)),
]

const spellingCache = new Map<string, ReadonlyArray<string>>()

/** Every spelling of `secret` a server may echo, longest first (so a longer one is not half-replaced). */
export const spellingsOf = (secret: string): ReadonlyArray<string> => {
  const cached = spellingCache.get(secret)
  if (cached !== undefined) return cached
  const out = new Set<string>([secret])
  for (const first of ENCODERS) {
    const once = first(secret)
    out.add(once)
    for (const second of ENCODERS) out.add(second(once))
  }
  // A copy: the loop adds to the set it reads.
  for (const s of Array.from(out))
    if (/%[0-9A-F]{2}/.test(s)) out.add(s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))
  const list = [...out].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)
  if (spellingCache.size >= 256) spellingCache.clear()
  spellingCache.set(secret, list)
  return list
}

const usable = (secrets: ReadonlyArray<string>): ReadonlyArray<string> =>
  secrets.filter((s) => typeof s === "string" && s.length >= MIN_SECRET_LENGTH)

/**
 * Removes every spelling of every secret from `text`. With `cut`, a text that ends part-way
 * through a spelling (a body cut off by the server or by our size cap) loses that tail too.
 */
export const scrubKnown = (text: string, secrets: ReadonlyArray<string>, cut = false): string => {
  const list = usable(secrets)
  if (list.length === 0 || text.length < MIN_SECRET_LENGTH) return text
  let out = text
  for (const secret of list) {
    // Every spelling is at least as long as the secret: a shorter text cannot hold one whole.
    if (secret.length > out.length) continue
    for (const form of spellingsOf(secret)) if (out.includes(form)) out = out.split(form).join(REDACTED)
  }
  if (cut) {
    for (const secret of list) {
      for (const form of spellingsOf(secret)) {
        const from = Math.max(0, out.length - Math.min(form.length - 1, 256))
        for (let i = from; i <= out.length - MIN_SECRET_LENGTH; i++) {
          if (out.charCodeAt(i) === form.charCodeAt(0) && form.startsWith(out.slice(i))) {
            out = out.slice(0, i) + REDACTED
            break
          }
        }
      }
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Values after a secret-looking name

// A name, its closing quote in any escaping (also HTML's), and a separator: JSON `:`, form `=`,
// PHP/Ruby `=>`, a table cell's `|` (HTML reduced to text), or just space after an identifier.
const KEYED =
  /(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9_-]*)(\\*["']|&quot;|&#0*34;|&#x0*22;)?(\s*(?:=>|[:=|])\s*|[ \t]+)/g

const BARE_END = /[\s,;&}\]<>"'|\\]/

/** The end of a quoted value starting at `from` (after its opening quote `quote`), or the text's end. */
const quotedEnd = (text: string, from: number, quote: string): number => {
  let i = from
  while (i < text.length) {
    const at = text.indexOf(quote, i)
    if (at < 0) return text.length
    // `"` preceded by an odd number of backslashes is escaped content, not the closing quote.
    if (quote === '"' || quote === "'") {
      let slashes = 0
      for (let j = at - 1; j >= from && text[j] === "\\"; j--) slashes++
      if (slashes % 2 === 1) {
        i = at + 1
        continue
      }
    }
    return at
  }
  return text.length
}

/** The end of an array or object starting at `from`, or the text's end when it was cut off. */
const bracketEnd = (text: string, from: number): number => {
  let depth = 0
  let i = from
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      i = quotedEnd(text, i + 1, '"') + 1
      continue
    }
    if (c === "[" || c === "{") depth++
    else if (c === "]" || c === "}") {
      depth--
      if (depth === 0) return i + 1
    }
    i++
  }
  return text.length
}

const unescapeJson = (s: string): string => {
  try {
    return JSON.parse(`"${s}"`) as string
  } catch {
    return s
  }
}

const decodeForm = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "))
  } catch {
    return s
  }
}

const QUOTE = /^(\\*["']|&quot;|&#0*34;|&#x0*22;)/

/** Where a value starting at `start` ends, the text to put instead, and the values it held. */
const valueAt = (
  text: string,
  start: number,
  found: Array<string>,
): { readonly end: number; readonly replacement: string } | undefined => {
  const first = text[start]
  if (first === undefined) return undefined
  if (first === "[" || first === "{") {
    const end = bracketEnd(text, start)
    const span = text.slice(start, end)
    for (const m of span.matchAll(/"((?:[^"\\]|\\.)*)"?/g)) found.push(unescapeJson(m[1]!))
    for (const m of span.matchAll(/[A-Za-z0-9_\-+/=.~%]{4,}/g)) found.push(m[0])
    return { end, replacement: REDACTED }
  }
  const quote = QUOTE.exec(text.slice(start, start + 12))?.[1]
  if (quote !== undefined) {
    const from = start + quote.length
    const end = quotedEnd(text, from, quote)
    const inner = text.slice(from, end)
    found.push(inner, unescapeJson(inner))
    return { end: Math.min(text.length, end + quote.length), replacement: `${quote}${REDACTED}${quote}` }
  }
  let end = start
  while (end < text.length && !BARE_END.test(text[end]!)) end++
  // `Authorization: Basic <credentials>`: the scheme is not the secret, what follows it is.
  if (/^(basic|bearer|digest|dpop|token)$/i.test(text.slice(start, end))) {
    while (end < text.length && (text[end] === " " || text[end] === "\t")) end++
    while (end < text.length && !BARE_END.test(text[end]!)) end++
  }
  const bare = text.slice(start, end)
  if (bare === "" || bare === "null" || bare === "true" || bare === "false" || bare === REDACTED)
    return undefined
  found.push(bare, decodeForm(bare))
  return { end, replacement: REDACTED }
}

/**
 * Replaces every value that follows a secret-looking name and returns the values it removed,
 * so their other occurrences can be scrubbed too.
 */
export const redactKeyedValues = (
  text: string,
): { readonly text: string; readonly found: ReadonlyArray<string> } => {
  const found: Array<string> = []
  let out = ""
  let last = 0
  KEYED.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = KEYED.exec(text)) !== null) {
    const [whole, name, , separator] = m
    // A bare space only separates a name from its value when the name is an identifier
    // (`access_token abc`), not an English word ("the token was revoked").
    const spaceOnly = !/[:=|]/.test(separator!)
    if (!isSecretName(name!) || (spaceOnly && !/[_-]|[a-z][A-Z]/.test(name!))) {
      KEYED.lastIndex = m.index + Math.max(1, name!.length)
      continue
    }
    const start = m.index + whole.length
    const value = valueAt(text, start, found)
    if (value === undefined) continue
    out += text.slice(last, start) + value.replacement
    last = value.end
    KEYED.lastIndex = Math.max(value.end, start + 1)
  }
  return { text: last === 0 ? text : out + text.slice(last), found: usable(found) }
}

// ---------------------------------------------------------------------------------------------
// Token-shaped runs

const RUN = /[A-Za-z0-9_\-+/=.~%]{8,}/g

const looksLikeToken = (run: string): boolean => {
  if (run.length >= 24) return true
  const letters = /[A-Za-z]/.test(run)
  if (letters && /[0-9]/.test(run)) return true
  if (run.length >= 12 && /[a-z]/.test(run) && (run.match(/[A-Z]/g)?.length ?? 0) >= 3) return true
  return false
}

const redactRuns = (text: string): string =>
  text.replace(RUN, (run) => (looksLikeToken(run) ? REDACTED : run))

// ---------------------------------------------------------------------------------------------
// HTML

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
}

const htmlToText = (html: string): string =>
  html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi, " ")
    .replace(/<!--[\s\S]*?(-->|$)/g, " ")
    .replace(/<[^>]*(>|$)/g, " ")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
      if (body[0] === "#") {
        const code =
          body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : entity
      }
      return ENTITIES[body.toLowerCase()] ?? entity
    })

const isHtml = (text: string, contentType: string | undefined): boolean =>
  (contentType ?? "").toLowerCase().includes("html") || /^\s*</.test(text)

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * The values a server answer holds under secret-looking names (in JSON, form, HTML or text):
 * the tokens it issued, to be scrubbed from everything made out of that answer.
 */
export const issuedSecretsIn = (body: string, contentType?: string): ReadonlyArray<string> => {
  const head = body.length > 64 * 1024 ? body.slice(0, 64 * 1024) : body
  const found = [...redactKeyedValues(head).found]
  if (isHtml(head, contentType)) found.push(...redactKeyedValues(htmlToText(head)).found)
  return found
}

/** Scrubs one piece of server text (an error description, a uri, a message). */
export const redactText = (text: string, knownSecrets: ReadonlyArray<string> = []): string => {
  const keyed = redactKeyedValues(scrubKnown(text, knownSecrets))
  return redactRuns(scrubKnown(keyed.text, keyed.found))
}

const EXCERPT_LENGTH = 160

/**
 * The first characters of a body, scrubbed, on one line; an HTML page is reduced to its text.
 * Scrubbed before cutting, so a cut cannot expose a shortened secret.
 */
export const excerpt = (
  body: string,
  knownSecrets: ReadonlyArray<string> = [],
  contentType?: string,
): string => {
  let text = body.length > 64 * 1024 ? body.slice(0, 64 * 1024) : body
  // A page is reduced to its text first: scrubbing inside its markup could break a tag open and
  // let what the tag held (an attribute's value) through as text.
  if (isHtml(text, contentType)) text = htmlToText(text)
  // The answer may itself have been cut mid-value: scrub a tail that starts a known secret.
  text = scrubKnown(text, knownSecrets, true)
  const keyed = redactKeyedValues(text)
  text = redactRuns(scrubKnown(keyed.text, keyed.found, true))
  const clean = text.replace(/\s+/g, " ").trim()
  return clean.length > EXCERPT_LENGTH ? clean.slice(0, EXCERPT_LENGTH) + "…" : clean
}

/**
 * A token response's extra fields made safe to print: values under secret-looking names become
 * Redacted (still readable with `Redacted.value`), nested ones too, and any other string loses
 * every spelling of the secrets given (the tokens issued, what the client sent).
 */
export const redactRaw = (
  value: unknown,
  secrets: ReadonlyArray<string>,
  wrap: (secret: unknown) => unknown,
  depth = 0,
): unknown => {
  if (typeof value === "string") {
    return value.length >= MIN_SECRET_LENGTH && secrets.length > 0 ? scrubKnown(value, secrets, false) : value
  }
  if (value === null || typeof value !== "object" || depth > 32) return value
  if (Array.isArray(value)) return value.map((v) => redactRaw(v, secrets, wrap, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretName(k) && v !== null && v !== undefined ? wrap(v) : redactRaw(v, secrets, wrap, depth + 1)
  }
  return out
}

/** Replaces every spelling of the given secrets, and nothing else (for values that must keep their shape). */
export const redactKnownSecrets = (text: string, knownSecrets: ReadonlyArray<string>): string =>
  scrubKnown(text, knownSecrets)
