/**
 * What a person's browser does with the URL `grantflow login --no-browser` prints: open it, see
 * the sandbox's consent page, press Approve or Deny, follow the redirect to the loopback listener
 * and read the page it answers with. Plain HTTP requests, redirects followed by hand.
 */
export interface BrowserVisit {
  /** The URL the browser was sent back to (the loopback callback). */
  readonly callback: URL
  /** What the loopback listener answered. */
  readonly status: number
  readonly page: string
}

const formField = (html: string, name: string): string => {
  const m = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)
  if (!m) throw new Error(`no ${name} on the consent page:\n${html.slice(0, 500)}`)
  return m[1]!
}

/** Opens the sandbox's consent page at `authorizationUrl` and presses `decision`. */
export const consent = async (
  authorizationUrl: string,
  decision: "approve" | "deny",
): Promise<BrowserVisit> => {
  const pageRes = await fetch(authorizationUrl, { redirect: "manual" })
  const html = await pageRes.text()
  if (pageRes.status !== 200)
    throw new Error(`consent page answered ${pageRes.status}: ${html.slice(0, 300)}`)
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]
  if (action === undefined) throw new Error("no form on the consent page")
  const decided = await fetch(new URL(action.replace(/&amp;/g, "&"), authorizationUrl), {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ request_id: formField(html, "request_id"), decision }),
  })
  await decided.body?.cancel()
  const location = decided.headers.get("location")
  if (decided.status !== 302 || location === null) throw new Error(`the decision answered ${decided.status}`)
  return visit(new URL(location, authorizationUrl))
}

/** Requests a callback URL as the browser would. */
export const visit = async (callback: URL): Promise<BrowserVisit> => {
  const res = await fetch(callback, { redirect: "manual" })
  return { callback, status: res.status, page: await res.text() }
}

/** The authorization URL in what `grantflow login` printed. */
export const AUTHORIZATION_URL = /Open this URL in your browser[^\n]*\n\n\s+(\S+)\n/
