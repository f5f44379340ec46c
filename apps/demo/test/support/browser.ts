/**
 * A browser stand-in over real HTTP: cookies per host name (ports ignored, as browsers do), no
 * automatic redirects (each hop is inspected), forms posted with the `Origin` a browser sends,
 * and a transcript of every text body it received, to check what a page source could reveal.
 */

export interface SetCookie {
  readonly name: string
  readonly value: string
  /** Lower-cased attribute names, with their values ("" for flags). */
  readonly attributes: ReadonlyMap<string, string>
}

export const parseSetCookie = (line: string): SetCookie => {
  const [pair, ...attrs] = line.split(";")
  const eq = pair!.indexOf("=")
  return {
    name: pair!.slice(0, eq).trim(),
    value: pair!.slice(eq + 1).trim(),
    attributes: new Map(
      attrs.map((a) => {
        const i = a.indexOf("=")
        return i === -1
          ? [a.trim().toLowerCase(), ""]
          : [a.slice(0, i).trim().toLowerCase(), a.slice(i + 1).trim()]
      }),
    ),
  }
}

export interface Page {
  readonly status: number
  readonly location: URL | undefined
  readonly body: string
  readonly headers: Headers
}

export class Browser {
  readonly #jar = new Map<string, Map<string, string>>()
  /** Every text body this browser received, in order. */
  readonly transcript: Array<string> = []
  /** Every Set-Cookie header this browser received. */
  readonly setCookies: Array<SetCookie> = []

  /** `onResponse` runs after every answer (e.g. to note what the server held at that moment). */
  constructor(private readonly onResponse: () => void = () => {}) {}

  async request(
    url: string | URL,
    init: { method?: string; form?: Record<string, string>; origin?: string } = {},
  ): Promise<Page> {
    const target = new URL(url)
    const headers: Record<string, string> = { accept: "text/html,application/json" }
    const cookies = this.#jar.get(target.hostname)
    if (cookies && cookies.size > 0) headers.cookie = [...cookies].map(([n, v]) => `${n}=${v}`).join("; ")
    const method = init.method ?? (init.form === undefined ? "GET" : "POST")
    if (method !== "GET") headers.origin = init.origin ?? target.origin
    let body: string | undefined
    if (init.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded"
      body = new URLSearchParams(init.form).toString()
    }
    const res = await fetch(target, {
      method,
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    })
    for (const line of res.headers.getSetCookie()) {
      const cookie = parseSetCookie(line)
      this.setCookies.push(cookie)
      const jar = this.#jar.get(target.hostname) ?? new Map<string, string>()
      jar.set(cookie.name, cookie.value)
      this.#jar.set(target.hostname, jar)
    }
    const text = await res.text()
    this.transcript.push(text)
    this.onResponse()
    const location = res.headers.get("location")
    return {
      status: res.status,
      location: location === null ? undefined : new URL(location, target),
      body: text,
      headers: res.headers,
    }
  }

  get(url: string | URL): Promise<Page> {
    return this.request(url)
  }

  post(url: string | URL, form: Record<string, string> = {}, origin?: string): Promise<Page> {
    return this.request(url, { form, origin })
  }

  /** GETs `url`, expecting a redirect; returns its target. */
  async redirectFrom(url: string | URL): Promise<URL> {
    const page = await this.get(url)
    if (page.status < 300 || page.status > 399 || page.location === undefined) {
      throw new Error(
        `expected a redirect from ${String(url)}, got HTTP ${page.status}: ${page.body.slice(0, 300)}`,
      )
    }
    return page.location
  }

  /** Follows redirects from a response until a page that is not a redirect. */
  async follow(page: Page): Promise<Page> {
    let current = page
    for (
      let hops = 0;
      current.location !== undefined && current.status >= 300 && current.status < 400;
      hops++
    ) {
      if (hops > 10) throw new Error("too many redirects")
      current = await this.get(current.location)
    }
    return current
  }

  cookie(url: string | URL, name: string): string | undefined {
    return this.#jar.get(new URL(url).hostname)?.get(name)
  }
}

/** The consent page's form, read the way a browser would: action, hidden fields, and the button's name/value. */
export const consentForm = (html: string, pageUrl: URL, decision: "approve" | "deny") => {
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null) throw new Error(`no consent form on the page: ${html.slice(0, 500)}`)
  const fields: Record<string, string> = {}
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1]
    const value = /value="([^"]*)"/.exec(input[0])?.[1]
    if (name !== undefined) fields[name] = value ?? ""
  }
  const button = [...form[2]!.matchAll(/<button[^>]*name="([^"]+)"[^>]*value="([^"]+)"[^>]*>/gi)].find(
    (b) => b[2] === decision,
  )
  if (button === undefined) throw new Error(`no ${decision} button on the consent page`)
  fields[button[1]!] = button[2]!
  return { action: new URL(form[1]!.replace(/&amp;/g, "&"), pageUrl), fields }
}
