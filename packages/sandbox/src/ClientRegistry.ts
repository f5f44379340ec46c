import { createHash, timingSafeEqual } from "node:crypto"
import type { SandboxClient, SandboxClientUpdate } from "./Clients.js"
import type { ProviderName } from "./Provider.js"

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

const freezeClient = (client: SandboxClient): SandboxClient => {
  if (client.provider !== "cryptohopper" && client.provider !== "cryptofuse") {
    throw new TypeError(`Unknown provider for client ${JSON.stringify(client.clientId)}`)
  }
  if (typeof client.clientId !== "string" || client.clientId === "") {
    throw new TypeError("A sandbox client needs a non-empty clientId")
  }
  if (typeof client.clientSecret !== "string") {
    throw new TypeError(`Client ${JSON.stringify(client.clientId)} needs a clientSecret string`)
  }
  return Object.freeze({
    ...client,
    redirectUris: Object.freeze([...(client.redirectUris ?? [])]),
    scopes: Object.freeze([...(client.scopes ?? [])]),
    ...(client.defaultScopes ? { defaultScopes: Object.freeze([...client.defaultScopes]) } : {}),
  })
}

const LOOPBACK_IPS = new Set(["127.0.0.1", "[::1]"])

const withoutPort = (uri: string): string | undefined => {
  if (!URL.canParse(uri)) return undefined
  const url = new URL(uri)
  if (url.protocol !== "http:" || !LOOPBACK_IPS.has(url.hostname)) return undefined
  url.port = ""
  return url.href
}

/**
 * Whether `uri` is one of the client's redirect URIs: exactly, or, for a loopback IP literal
 * (`http://127.0.0.1/...`, `http://[::1]/...`), with any port, as RFC 8252 §7.3 requires of
 * servers so that native apps can listen on a port the OS picks. `localhost` stays exact-match
 * (RFC 8252 §8.3 advises against it).
 */
export const redirectMatches = (client: SandboxClient, uri: string): boolean => {
  if (client.redirectUris.includes(uri)) return true
  const requested = withoutPort(uri)
  return requested !== undefined && client.redirectUris.some((r) => withoutPort(r) === requested)
}

/** The clients one sandbox instance knows, changeable at runtime. */
export class ClientRegistry {
  readonly #clients = new Map<string, SandboxClient>()

  constructor(clients: ReadonlyArray<SandboxClient>) {
    for (const client of clients) this.add(client)
  }

  add(client: SandboxClient): SandboxClient {
    const frozen = freezeClient(client)
    if (this.#clients.has(frozen.clientId)) {
      throw new TypeError(`A client with id ${JSON.stringify(frozen.clientId)} is already registered`)
    }
    this.#clients.set(frozen.clientId, frozen)
    return frozen
  }

  update(clientId: string, update: SandboxClientUpdate): SandboxClient {
    const current = this.#clients.get(clientId)
    if (!current) throw new TypeError(`No client with id ${JSON.stringify(clientId)}`)
    const next = freezeClient({ ...current, ...update, provider: current.provider, clientId })
    this.#clients.set(clientId, next)
    return next
  }

  list(): ReadonlyArray<SandboxClient> {
    return [...this.#clients.values()]
  }

  find(provider: ProviderName, clientId: string): SandboxClient | undefined {
    const client = this.#clients.get(clientId)
    return client?.provider === provider ? client : undefined
  }

  /** The client when id and secret match, compared in constant time. */
  authenticate(provider: ProviderName, clientId: string, clientSecret: string): SandboxClient | undefined {
    const client = this.find(provider, clientId)
    const expected = digest(client?.clientSecret ?? "\u0000no-such-client")
    const matches = timingSafeEqual(expected, digest(clientSecret))
    return client && matches ? client : undefined
  }

  /** Whether any client of the provider registered this redirect URI (see {@link redirectMatches}). */
  isRegisteredRedirect(provider: ProviderName, uri: string): boolean {
    for (const client of this.#clients.values()) {
      if (client.provider === provider && redirectMatches(client, uri)) return true
    }
    return false
  }
}
