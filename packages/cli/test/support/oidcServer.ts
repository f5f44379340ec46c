/**
 * A real OAuth 2.0 / OpenID Connect server (`oidc-provider` 9) for the `--issuer` and `--device`
 * tests: one instance per test file on 127.0.0.1 port 0, with a native public client whose
 * loopback redirect URI takes any port (RFC 8252 §7.3, as oidc-provider implements for
 * `application_type: native`), device flow, revocation and introspection, and login and consent
 * answered by an automated person. (Only one instance lives in a test file's worker, so
 * oidc-provider's default in-memory adapter, shared per process, is enough.)
 */
import { generateKeyPairSync, randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export const NATIVE_CLIENT = "grantflow-cli"
export const LOOPBACK_REDIRECT = "http://127.0.0.1/callback"

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void
  interactionDetails(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{
    prompt: { name: string; details: Record<string, unknown> }
    params: Record<string, unknown>
    session?: { accountId: string }
    grantId?: string
  }>
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    o?: object,
  ): Promise<void>
  readonly Grant: new (props: { accountId: string; clientId: string }) => {
    addOIDCScope(scope: string): void
    save(): Promise<string>
  }
}

export interface OidcServer {
  readonly issuer: string
  /** What the automated person answers at the next login or consent. */
  setDecision(decision: "approve" | "deny"): void
  stop(): Promise<void>
}

// oidc-provider ships no types; a string-typed specifier keeps tsc from asking for them.
const MODULE: string = "oidc-provider"

export const startOidcServer = async (): Promise<OidcServer> => {
  const Provider = (
    (await import(MODULE)) as { default: new (issuer: string, config: object) => ProviderInstance }
  ).default
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "k", use: "sig", alg: "ES256" }] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    clients: [
      {
        client_id: NATIVE_CLIENT,
        application_type: "native",
        token_endpoint_auth_method: "none",
        id_token_signed_response_alg: "ES256",
        redirect_uris: [LOOPBACK_REDIRECT],
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        response_types: ["code"],
        scope: "openid offline_access",
      },
    ],
    scopes: ["openid", "offline_access"],
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: async (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    issueRefreshToken: async () => true,
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
    },
  })
  // RFC 8628's default interval is 5 s; one second keeps the device tests short.
  ;(
    provider as unknown as {
      on: (e: string, f: (ctx: unknown, body: Record<string, unknown>) => void) => void
    }
  ).on("device_authorization.success", (_ctx, body) => {
    body["interval"] = 1
  })

  let decision: "approve" | "deny" = "approve"
  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res)
    if (decision === "deny") {
      return provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The person said no" },
        { mergeWithLastSubmission: false },
      )
    }
    if (details.prompt.name === "login") {
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: "user-1" } },
        { mergeWithLastSubmission: false },
      )
    }
    const grant = new provider.Grant({
      accountId: details.session?.accountId ?? "user-1",
      clientId: String(details.params["client_id"]),
    })
    const missing = (details.prompt.details["missingOIDCScope"] as string[] | undefined) ?? []
    if (missing.length > 0) grant.addOIDCScope(missing.join(" "))
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true },
    )
  }
  const oidc = provider.callback()
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url?.startsWith("/interaction/")) {
      interact(req, res).catch(() => res.writeHead(500).end())
      return
    }
    oidc(req, res)
  })
  return {
    issuer,
    setDecision: (d) => {
      decision = d
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A browser: follows redirects by hand with the server's cookies; stops at `stopAt` without requesting it. */
export class Browser {
  private cookies = new Map<string, string>()

  async request(url: URL, init: { method?: string; form?: URLSearchParams } = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ")
    const res = await fetch(url, {
      method: init.method ?? "GET",
      redirect: "manual",
      headers: {
        ...(cookie === "" ? {} : { cookie }),
        ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(init.form ? { body: init.form.toString() } : {}),
    })
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";")
      const eq = pair.indexOf("=")
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
    }
    return res
  }

  /** Follows redirects from `url` until a page renders or the next hop is `stopAt`'s origin+path. */
  async follow(
    url: URL,
    init: { method?: string; form?: URLSearchParams } = {},
    stopAt?: URL,
  ): Promise<{ url: URL; res: Response }> {
    let current = url
    let res = await this.request(current, init)
    for (let hop = 0; hop < 12; hop++) {
      const location = res.headers.get("location")
      if (res.status < 300 || res.status >= 400 || location === null) return { url: current, res }
      await res.body?.cancel()
      const next = new URL(location, current)
      if (stopAt !== undefined && next.origin === stopAt.origin && next.pathname === stopAt.pathname)
        return { url: next, res }
      current = next
      res = await this.request(current)
    }
    throw new Error("too many redirects")
  }
}

const formOf = (html: string, id: string): { action: string; fields: URLSearchParams } => {
  const start = html.search(new RegExp(`<form[^>]*id="${id.replace(/\./g, "\\.")}"`))
  if (start < 0) throw new Error(`no form ${id} in ${html.slice(0, 300)}`)
  const form = html.slice(start, html.indexOf("</form>", start))
  const fields = new URLSearchParams()
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = /\sname="([^"]*)"/.exec(tag)?.[1]
    if (name !== undefined) fields.append(name, /\svalue="([^"]*)"/.exec(tag)?.[1] ?? "")
  }
  return { action: /action="([^"]*)"/.exec(form)?.[1] ?? "", fields }
}

/** The person at the device verification page: types the user code and confirms. Resolves with the final page. */
export const approveDevice = async (verificationUri: string, userCode: string): Promise<string> => {
  const browser = new Browser()
  const input = await browser.follow(new URL(verificationUri))
  const inputForm = formOf(await input.res.text(), "op.deviceInputForm")
  inputForm.fields.set("user_code", userCode)
  const confirm = await browser.follow(new URL(inputForm.action, input.url), {
    method: "POST",
    form: inputForm.fields,
  })
  const confirmForm = formOf(await confirm.res.text(), "op.deviceConfirmForm")
  const done = await browser.follow(new URL(confirmForm.action, confirm.url), {
    method: "POST",
    form: confirmForm.fields,
  })
  return done.res.text()
}
