/**
 * A browser stand-in over real HTTP: a cookie jar keyed by host name (cookies ignore ports, as in
 * real browsers, so two app instances on one host share them), and no automatic redirects, so
 * each hop between the app and the sandbox can be inspected.
 */
export class Browser {
  readonly #jar = new Map<string, Map<string, string>>()

  /** GET `url` with this browser's cookies for its origin; remembers any cookies set. */
  async get(url: string): Promise<Response> {
    const target = new URL(url)
    const cookies = this.#jar.get(target.hostname)
    const headers: Record<string, string> = { accept: "text/html,application/json" }
    if (cookies && cookies.size > 0) {
      headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ")
    }
    const res = await fetch(target, { redirect: "manual", headers, signal: AbortSignal.timeout(10_000) })
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";")
      const eq = pair!.indexOf("=")
      const jar = this.#jar.get(target.hostname) ?? new Map<string, string>()
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim())
      this.#jar.set(target.hostname, jar)
    }
    return res
  }

  /** GET `url`, expect a redirect, and return where it points (absolute). */
  async redirectFrom(url: string): Promise<URL> {
    const res = await this.get(url)
    const location = res.headers.get("location")
    if (res.status < 300 || res.status > 399 || location === null) {
      throw new Error(
        `Expected a redirect from ${url}, got HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`,
      )
    }
    await res.body?.cancel()
    return new URL(location, url)
  }

  /** Starts a login at `loginUrl` and follows it through the provider; returns the callback URL the provider sent back. */
  async callbackFor(loginUrl: string): Promise<URL> {
    const authorize = await this.redirectFrom(loginUrl)
    return this.redirectFrom(authorize.href)
  }

  /** The cookies this browser holds for the host of `url`. */
  cookies(url: string): ReadonlyMap<string, string> {
    return this.#jar.get(new URL(url).hostname) ?? new Map()
  }
}
