/**
 * A real, certified OAuth 2.0 / OpenID Connect server (`oidc-provider` 9) for interoperability
 * tests: one instance per test file on 127.0.0.1 port 0, each with its own in-memory store,
 * with login and consent automated so authorization-code flows run headlessly.
 *
 * @example
 * ```ts
 * const op = await startOidcServer()
 * const callback = await followAuthorization(authorizationUrl) // https://app.example/callback?code=...
 * await op.stop()
 * ```
 */
import { generateKeyPair, randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** The account every automated login signs in as. */
export const ACCOUNT_ID = "user-1"

/** The resource server the `api:*` scopes belong to (RFC 8707 resource indicator). */
export const API_RESOURCE = "urn:grantflow:test-api"

/** Scopes of the test API; oidc-provider 9 only puts them in access tokens for a resource server. */
export const API_SCOPES = ["api:read", "api:write"] as const

/** Every redirect URI the test clients registered; never requested, `followAuthorization` stops before it. */
export const REDIRECT_URI = "https://app.example/callback"

export interface TestClient {
  readonly clientId: string
  /** Undefined for the public client. */
  readonly clientSecret: string | undefined
  readonly redirectUri: string
  readonly authMethod: "client_secret_basic" | "client_secret_post" | "none"
}

export interface ConfidentialTestClient extends TestClient {
  readonly clientSecret: string
  readonly authMethod: "client_secret_basic" | "client_secret_post"
}

export interface PublicTestClient extends TestClient {
  readonly clientSecret: undefined
  readonly authMethod: "none"
}

export interface OidcServerOptions {
  /**
   * Refresh-token rotation. `undefined` keeps oidc-provider's own policy (rotate for public
   * clients, and for confidential ones once 70 % of the lifetime passed); `true`/`false` force it.
   */
  readonly rotateRefreshToken?: boolean | undefined
  /** Access-token lifetime in seconds (default 3600). */
  readonly accessTokenTTL?: number | undefined
  /** Refresh-token lifetime in seconds (default 1 day). */
  readonly refreshTokenTTL?: number | undefined
  /**
   * RFC 8628 `interval` (seconds) the device authorization endpoint names. oidc-provider 9 sends
   * none, which means 5 s; tests ask for 1 s to keep real polling short. Undefined: send none.
   */
  readonly deviceInterval?: number | undefined
}

export interface OidcServer {
  /** The issuer identifier, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly issuer: string
  /** Base URL of the server, same origin as the issuer. */
  readonly url: string
  readonly endpoints: {
    readonly discovery: string
    readonly authorization: string
    readonly token: string
    readonly revocation: string
    readonly introspection: string
    readonly deviceAuthorization: string
  }
  readonly clients: {
    /** Confidential, authenticates with HTTP Basic; its secret holds `:`, `/`, `+`, `&`, `=` and `%`. */
    readonly basic: ConfidentialTestClient
    /** Confidential, authenticates in the form body; its secret holds `/`, `+`, `&`, `;`, `=`, `%` and spaces. */
    readonly post: ConfidentialTestClient
    /** Public (`none`), PKCE required. */
    readonly public: PublicTestClient
  }
  /** What the automated user answers to the next consent prompts. */
  setDecision(decision: "approve" | "deny"): void
  /** Errors oidc-provider raised as `server_error` (a bug in this harness or config, never expected). */
  readonly serverErrors: ReadonlyArray<Error>
  /**
   * oidc-provider 9 never answers `slow_down` by itself: the next `count` device-code polls that
   * it would answer `authorization_pending` are answered `slow_down` instead, as a server that
   * enforces its polling interval does.
   */
  slowDownNext(count: number): void
  /** The error code of every device-code poll answered with an error, in order (after any slow_down rewrite). */
  readonly devicePolls: ReadonlyArray<string>
  /** Moves every pending device code's expiry into the past, as if the server's clock passed it. */
  expireDeviceCodes(): void
  /** RFC 7662 introspection with plain fetch, authenticated as the Basic client. */
  introspect(token: string): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

// oidc-provider ships no types, and @grantflow/core has no @types/oidc-provider; the small surface
// this harness touches is typed here by hand.
interface InteractionDetails {
  readonly uid: string
  readonly prompt: { readonly name: string; readonly details: Record<string, unknown> }
  readonly params: Record<string, unknown>
  readonly session?: { readonly accountId: string } | undefined
  readonly grantId?: string | undefined
}
interface GrantInstance {
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: ReadonlyArray<string>): void
  addResourceScope(indicator: string, scope: string): void
  save(): Promise<string>
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { readonly mergeWithLastSubmission?: boolean },
  ): Promise<void>
  readonly Grant: {
    new (props: { accountId: string; clientId: string }): GrantInstance
    find(id: string): Promise<GrantInstance | undefined>
  }
  on(event: "server_error", listener: (ctx: unknown, error: Error) => void): unknown
  on(event: "device_authorization.success", listener: (ctx: unknown, body: unknown) => void): unknown
  use(middleware: (ctx: unknown, next: () => Promise<void>) => Promise<void>): unknown
}
interface DevicePollContext {
  readonly path: string
  readonly oidc?: { readonly params?: Record<string, unknown> } | undefined
  body: unknown
}

/** RFC 8628 §3.4 grant type. */
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance

// A string-typed specifier keeps tsc from demanding declarations for the untyped package.
const OIDC_PROVIDER_MODULE: string = "oidc-provider"
const loadProvider = async (): Promise<ProviderConstructor> =>
  ((await import(OIDC_PROVIDER_MODULE)) as { default: ProviderConstructor }).default

// ---------------------------------------------------------------------------------------------
// Per-instance store. oidc-provider's default MemoryAdapter shares one 1,000-entry LRU across
// every Provider in the process, so parallel test files would see (and evict) each other's
// tokens; this one is a plain Map owned by one server.

type Payload = Record<string, unknown> & {
  grantId?: string
  uid?: string
  userCode?: string
  consumed?: number
}

class InstanceStore {
  readonly entries = new Map<string, { payload: Payload; expiresAt: number }>()
  readonly grants = new Map<string, Set<string>>()
  readonly sessionUids = new Map<string, string>()
  readonly userCodes = new Map<string, string>()

  get(key: string): Payload | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key)
      return undefined
    }
    return entry.payload
  }
}

const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "ClientCredentials",
])

class MapAdapter {
  constructor(
    private readonly model: string,
    private readonly store: InstanceStore,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`
  }

  async upsert(id: string, payload: Payload, expiresIn: number | undefined): Promise<void> {
    const key = this.key(id)
    const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity
    // oidc-provider mutates payloads it got from find(); store a copy so a record only changes on upsert/consume.
    this.store.entries.set(key, { payload: structuredClone(payload), expiresAt })
    if (this.model === "Session" && payload.uid) this.store.sessionUids.set(payload.uid, id)
    if (payload.userCode) this.store.userCodes.set(payload.userCode, id)
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const members = this.store.grants.get(payload.grantId) ?? new Set<string>()
      members.add(key)
      this.store.grants.set(payload.grantId, members)
    }
  }

  async find(id: string): Promise<Payload | undefined> {
    const payload = this.store.get(this.key(id))
    return payload === undefined ? undefined : structuredClone(payload)
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const id = this.store.sessionUids.get(uid)
    return id === undefined ? undefined : this.find(id)
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const id = this.store.userCodes.get(userCode)
    return id === undefined ? undefined : this.find(id)
  }

  async consume(id: string): Promise<void> {
    const payload = this.store.get(this.key(id))
    if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000)
  }

  async destroy(id: string): Promise<void> {
    this.store.entries.delete(this.key(id))
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.store.grants.get(grantId) ?? []) this.store.entries.delete(key)
    this.store.grants.delete(grantId)
  }
}

// ---------------------------------------------------------------------------------------------

// One RSA key for every instance of the process: signing keys carry no state, and generating
// one per server would only slow the tests down.
let signingKey: Promise<Record<string, unknown>> | undefined
const getSigningKey = (): Promise<Record<string, unknown>> =>
  (signingKey ??= new Promise((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: 2048 }, (err, _publicKey, privateKey) => {
      if (err) reject(err)
      else resolve({ ...privateKey.export({ format: "jwk" }), kid: "test-rs256", use: "sig", alg: "RS256" })
    }),
  ))

const readBody = (res: Response): Promise<Record<string, unknown>> =>
  res.json() as Promise<Record<string, unknown>>

/** Starts one oidc-provider 9 instance on 127.0.0.1 with a free port. Call `stop()` in `afterAll`. */
export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  const [Provider, jwk] = await Promise.all([loadProvider(), getSigningKey()])

  // Listen first: the issuer must carry the port, and the Provider wants its issuer when built.
  const server = createServer()
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`

  const clients = {
    basic: {
      clientId: "confidential-basic",
      clientSecret: "b4sic:s3cr3t/with+plus&amp=%41~",
      redirectUri: REDIRECT_URI,
      authMethod: "client_secret_basic",
    },
    post: {
      clientId: "confidential-post",
      clientSecret: "s3cr3t/with+plus&amp;=%20 and spaces",
      redirectUri: REDIRECT_URI,
      authMethod: "client_secret_post",
    },
    public: {
      clientId: "public-pkce",
      clientSecret: undefined,
      redirectUri: REDIRECT_URI,
      authMethod: "none",
    },
  } as const satisfies Record<string, TestClient>

  const allScopes = ["openid", "offline_access", ...API_SCOPES].join(" ")
  const grantTypes = ["authorization_code", "refresh_token", "client_credentials", DEVICE_CODE_GRANT]
  const store = new InstanceStore()
  const accessTokenTTL = options.accessTokenTTL ?? 3600
  const refreshTokenTTL = options.refreshTokenTTL ?? 24 * 3600

  const provider = new Provider(issuer, {
    adapter: (model: string) => new MapAdapter(model, store),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    clients: [
      {
        client_id: clients.basic.clientId,
        client_secret: clients.basic.clientSecret,
        token_endpoint_auth_method: "client_secret_basic",
        redirect_uris: [REDIRECT_URI],
        grant_types: grantTypes,
        response_types: ["code"],
        scope: allScopes,
      },
      {
        client_id: clients.post.clientId,
        client_secret: clients.post.clientSecret,
        token_endpoint_auth_method: "client_secret_post",
        redirect_uris: [REDIRECT_URI],
        grant_types: grantTypes,
        response_types: ["code"],
        scope: allScopes,
      },
      {
        client_id: clients.public.clientId,
        token_endpoint_auth_method: "none",
        redirect_uris: [REDIRECT_URI],
        // client_credentials needs a secret: a public client may not use it.
        grant_types: ["authorization_code", "refresh_token", DEVICE_CODE_GRANT],
        response_types: ["code"],
        scope: allScopes,
      },
    ],
    // api:* listed with the OIDC scopes so discovery advertises them; the resource server below
    // is what lets them into access tokens.
    scopes: ["openid", "offline_access", ...API_SCOPES],
    pkce: {
      required: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod === "none",
    },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: {
      url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    ttl: {
      AccessToken: () => accessTokenTTL,
      AuthorizationCode: () => 60,
      DeviceCode: () => 600,
      ClientCredentials: () => accessTokenTTL,
      IdToken: () => 3600,
      RefreshToken: () => refreshTokenTTL,
      Interaction: () => 600,
      Session: () => 3600,
      Grant: () => refreshTokenTTL,
    },
    // oidc-provider honours offline_access only with prompt=consent (OIDC Core §11); clients that
    // do not send it (most OAuth 2.0 clients) still get a refresh token when they may use one.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed("refresh_token"),
    ...(options.rotateRefreshToken === undefined
      ? {}
      : { rotateRefreshToken: () => options.rotateRefreshToken }),
    features: {
      devInteractions: { enabled: false },
      // RFC 8628, with oidc-provider's own user-code input, confirmation and success pages.
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) =>
          token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (
          _ctx: unknown,
          client: { clientId: string; clientAuthMethod: string },
          token: { clientId: string },
        ) => client.clientAuthMethod !== "none" || token.clientId === client.clientId,
      },
      // oidc-provider 9 keeps non-OIDC scopes out of access tokens unless the token is for a
      // resource server: requests without `resource` default to the test API, and the code and
      // refresh grants reuse the resource the user consented to.
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string | string[]) =>
          oneOf ?? API_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (resource !== API_RESOURCE) throw new Error(`unknown resource ${resource}`)
          return {
            scope: API_SCOPES.join(" "),
            audience: API_RESOURCE,
            accessTokenFormat: "opaque",
            accessTokenTTL,
          }
        },
      },
    },
  })

  const serverErrors: Error[] = []
  provider.on("server_error", (_ctx, error) => {
    serverErrors.push(error)
  })

  if (options.deviceInterval !== undefined) {
    const interval = options.deviceInterval
    // The answer object is serialised after this event, so the field lands in the response.
    provider.on("device_authorization.success", (_ctx, body) => {
      ;(body as Record<string, unknown>)["interval"] = interval
    })
  }

  let slowDowns = 0
  const devicePolls: string[] = []
  provider.use(async (ctx, next) => {
    await next()
    const c = ctx as DevicePollContext
    if (c.path !== "/token" || c.oidc?.params?.["grant_type"] !== DEVICE_CODE_GRANT) return
    const body = c.body as Record<string, unknown> | undefined
    if (typeof body?.["error"] !== "string") return
    if (body["error"] === "authorization_pending" && slowDowns > 0) {
      slowDowns--
      c.body = { error: "slow_down", error_description: "polling faster than the interval" }
    }
    devicePolls.push(String((c.body as Record<string, unknown>)["error"]))
  })

  let decision: "approve" | "deny" = "approve"

  // What a person would do on the login and consent pages, done at once.
  const interact = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res)
    if (decision === "deny") {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The user declined the request" },
        { mergeWithLastSubmission: false },
      )
      return
    }
    if (details.prompt.name === "login") {
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: ACCOUNT_ID } },
        { mergeWithLastSubmission: false },
      )
      return
    }
    if (details.prompt.name === "consent") {
      const accountId = details.session?.accountId ?? ACCOUNT_ID
      const grant =
        (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
        new provider.Grant({ accountId, clientId: String(details.params["client_id"]) })
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
        missingOIDCScope?: string[]
        missingOIDCClaims?: string[]
        missingResourceScopes?: Record<string, string[]>
      }
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "))
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims)
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(" "))
      }
      const grantId = await grant.save()
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      )
      return
    }
    res.writeHead(400, { "content-type": "text/plain" }).end(`unhandled prompt ${details.prompt.name}`)
  }

  const oidc = provider.callback()
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url?.startsWith("/interaction/")) {
      interact(req, res).catch((error: unknown) => {
        serverErrors.push(error instanceof Error ? error : new Error(String(error)))
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" })
        res.end("interaction failed")
      })
      return
    }
    oidc(req, res)
  })

  const endpoints = {
    discovery: `${issuer}/.well-known/openid-configuration`,
    authorization: `${issuer}/auth`,
    token: `${issuer}/token`,
    revocation: `${issuer}/token/revocation`,
    introspection: `${issuer}/token/introspection`,
    deviceAuthorization: `${issuer}/device/auth`,
  }

  return {
    issuer,
    url: issuer,
    endpoints,
    clients,
    serverErrors,
    setDecision: (next) => {
      decision = next
    },
    slowDownNext: (count) => {
      slowDowns = count
    },
    devicePolls,
    expireDeviceCodes: () => {
      for (const [key, entry] of store.entries) {
        if (key.startsWith("DeviceCode:")) entry.payload["exp"] = Math.floor(Date.now() / 1000) - 1
      }
    },
    introspect: async (token) => {
      const res = await fetch(endpoints.introspection, {
        method: "POST",
        headers: {
          authorization: basicAuthorization(clients.basic.clientId, clients.basic.clientSecret),
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ token }),
        signal: AbortSignal.timeout(5000),
      })
      if (!res.ok) throw new Error(`introspection answered HTTP ${res.status}`)
      return readBody(res)
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** `Authorization: Basic` as RFC 6749 §2.3.1 says: form-urlencode id and secret, then base64. */
export const basicAuthorization = (clientId: string, clientSecret: string): string => {
  const formEncode = (s: string) => new URLSearchParams({ s }).toString().slice(2)
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString("base64")}`
}

// ---------------------------------------------------------------------------------------------
// The browser: follows redirects by hand, keeping the provider's cookies, and stops at the
// client's redirect_uri without requesting it.

interface StoredCookie {
  readonly name: string
  readonly value: string
  readonly path: string
}

class CookieJar {
  private cookies: StoredCookie[] = []

  store(setCookies: ReadonlyArray<string>, requestUrl: URL): void {
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim())
      const eq = pair.indexOf("=")
      if (eq <= 0) continue
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      let path = requestUrl.pathname.replace(/\/[^/]*$/, "") || "/"
      let expired = value === ""
      for (const attribute of attributes) {
        const [key = "", val = ""] = attribute.split("=")
        const k = key.toLowerCase()
        if (k === "path" && val.startsWith("/")) path = val
        if (k === "max-age" && Number(val) <= 0) expired = true
        if (k === "expires" && Date.parse(val) <= Date.now()) expired = true
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path))
      if (!expired) this.cookies.push({ name, value, path })
    }
  }

  header(url: URL): string | undefined {
    const matching = this.cookies.filter(
      (c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`),
    )
    return matching.length === 0 ? undefined : matching.map((c) => `${c.name}=${c.value}`).join("; ")
  }
}

const sameEndpoint = (a: URL, b: URL) => a.origin === b.origin && a.pathname === b.pathname

/**
 * Follows an authorization URL through the server's login and consent (automated by
 * `startOidcServer`) and returns the URL the browser would land on at the client's
 * redirect_uri (with `code` and `state`, or an `error`), without requesting it.
 */
export async function followAuthorization(authorizationUrl: string, maxHops = 10): Promise<string> {
  let current = new URL(authorizationUrl)
  const redirectUri = current.searchParams.get("redirect_uri")
  if (redirectUri === null) throw new Error("authorization URL has no redirect_uri")
  const target = new URL(redirectUri)
  const jar = new CookieJar()

  for (let hop = 0; hop < maxHops; hop++) {
    const cookie = jar.header(current)
    const res = await fetch(current, {
      redirect: "manual",
      headers: cookie === undefined ? {} : { cookie },
      signal: AbortSignal.timeout(5000),
    })
    jar.store(res.headers.getSetCookie(), current)
    const location = res.headers.get("location")
    if (res.status < 300 || res.status >= 400 || location === null) {
      const body = await res.text()
      throw new Error(
        `authorization stopped at ${current.pathname} with HTTP ${res.status}: ${body.slice(0, 300)}`,
      )
    }
    await res.body?.cancel()
    const next = new URL(location, current)
    if (sameEndpoint(next, target)) return next.href
    current = next
  }
  throw new Error(`authorization did not reach ${redirectUri} within ${maxHops} redirects`)
}

// ---------------------------------------------------------------------------------------------
// The person at the device verification page: reads oidc-provider's HTML forms and submits
// them as a browser would, with the page's cookies and hidden fields (its xsrf token).

interface HtmlForm {
  readonly action: string
  readonly fields: ReadonlyArray<readonly [string, string]>
  /** Submit buttons tied to the form by `form="<id>"`: name -> value. */
  readonly buttons: ReadonlyMap<string, string>
}

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)
  return match?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
}

/** The form with that id, or with none given the page's first form (`document.forms[0]`). */
const parseForm = (html: string, id: string | undefined): HtmlForm => {
  const start =
    id === undefined
      ? html.search(/<form[\s>]/i)
      : html.search(new RegExp(`<form[^>]*\\sid="${id.replace(/\./g, "\\.")}"`, "i"))
  if (start < 0) throw new Error(`page has no form ${id ?? ""}: ${html.slice(0, 300)}`)
  const end = html.indexOf("</form>", start)
  const formHtml = html.slice(start, end < 0 ? undefined : end)
  const formTag = /<form[^>]*>/i.exec(formHtml)![0]
  const fields: Array<readonly [string, string]> = []
  for (const [tag] of formHtml.matchAll(/<input[^>]*>/gi)) {
    const name = attribute(tag, "name")
    if (name !== undefined) fields.push([name, attribute(tag, "value") ?? ""])
  }
  const buttons = new Map<string, string>()
  for (const [tag] of html.matchAll(/<button[^>]*>/gi)) {
    const name = attribute(tag, "name")
    if (attribute(tag, "form") === id && name !== undefined) buttons.set(name, attribute(tag, "value") ?? "")
  }
  return { action: attribute(formTag, "action") ?? "", fields, buttons }
}

export interface DevicePageOutcome {
  /** HTTP status of the page the person ends on. */
  readonly status: number
  /** Its HTML (oidc-provider's success page, or the input page with a message). */
  readonly page: string
}

/**
 * Enters `userCode` at `verificationUri` (or, with `userCode` undefined, opens the
 * `verification_uri_complete` link, whose page submits itself as a browser's script would) and
 * then presses Continue (`"confirm"`) or Abort (`"abort"`) on the confirmation page; a
 * confirmation goes on through login and consent (automated by `startOidcServer`, so
 * `setDecision("deny")` denies there). Resolves with the page the browser ends on.
 */
export async function completeDeviceLogin(
  verificationUri: string,
  userCode: string | undefined,
  choice: "confirm" | "abort",
  maxHops = 10,
): Promise<DevicePageOutcome> {
  const jar = new CookieJar()
  const go = async (url: URL, init: { method: "GET" } | { method: "POST"; body: URLSearchParams }) => {
    const cookie = jar.header(url)
    const headers: Record<string, string> = cookie === undefined ? {} : { cookie }
    if (init.method === "POST") headers["content-type"] = "application/x-www-form-urlencoded"
    const res = await fetch(url, {
      method: init.method,
      redirect: "manual",
      headers,
      ...(init.method === "POST" ? { body: init.body.toString() } : {}),
      signal: AbortSignal.timeout(5000),
    })
    jar.store(res.headers.getSetCookie(), url)
    return res
  }
  /** Follows redirects until a page is rendered. */
  const settle = async (url: URL, first: Response): Promise<{ url: URL; status: number; page: string }> => {
    let current = url
    let res = first
    for (let hop = 0; hop < maxHops; hop++) {
      const location = res.headers.get("location")
      if (res.status < 300 || res.status >= 400 || location === null) {
        return { url: current, status: res.status, page: await res.text() }
      }
      await res.body?.cancel()
      current = new URL(location, current)
      res = await go(current, { method: "GET" })
    }
    throw new Error(`the device login did not settle within ${maxHops} redirects`)
  }
  const submit = async (from: URL, form: HtmlForm, extra: ReadonlyArray<readonly [string, string]>) => {
    const target = new URL(form.action, from)
    const body = new URLSearchParams()
    const overridden = new Set(extra.map(([name]) => name))
    for (const [name, value] of form.fields) if (!overridden.has(name)) body.append(name, value)
    for (const [name, value] of extra) body.append(name, value)
    return settle(target, await go(target, { method: "POST", body }))
  }

  const start = new URL(verificationUri)
  const input = await settle(start, await go(start, { method: "GET" }))
  const confirmation =
    userCode === undefined
      ? await submit(input.url, parseForm(input.page, undefined), [])
      : await submit(input.url, parseForm(input.page, "op.deviceInputForm"), [["user_code", userCode]])
  const confirmForm = parseForm(confirmation.page, "op.deviceConfirmForm")
  const abort = confirmForm.buttons.get("abort")
  if (choice === "abort" && abort === undefined) throw new Error("the confirmation page has no abort button")
  const outcome = await submit(confirmation.url, confirmForm, choice === "abort" ? [["abort", abort!]] : [])
  return { status: outcome.status, page: outcome.page }
}
