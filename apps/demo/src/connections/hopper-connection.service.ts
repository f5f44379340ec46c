import { randomUUID } from "node:crypto"
import { LoginRequired, OAuthServerError, type OAuthClient, type TokenSet } from "@grantflow/core"
import { InjectOAuthClient, toOAuthHttpError, isOAuthError } from "@grantflow/nest"
import { Inject, Injectable } from "@nestjs/common"
import type { Request } from "express"
import { type HopperUser, isHopperUser } from "../http/session-data.js"
import { logOut } from "../http/session-ops.js"
import { storeKey, TokenLedger } from "../tokens/token-ledger.js"
import { toTokenView, type TokenView } from "../tokens/token-view.js"
import { type ApiCall, checkApiPath, readBody } from "./api-call.js"

/** What `disconnect` did: the tokens are always forgotten here; `revoked` says whether the provider confirmed. */
export interface DisconnectResult {
  readonly revoked: boolean
  readonly message: string
}

/** Whether an error means "this connection is gone, the user must connect again". */
export const needsNewLogin = (err: unknown): boolean =>
  err instanceof LoginRequired || (err instanceof OAuthServerError && err.error === "invalid_grant")

/**
 * A browser's Cryptohopper connection (authorization code): its tokens live in the TokenStore
 * under a random connection id, which only the server-side session knows. Every API call goes
 * through `client.fetch`, which attaches the `access-token` header and refreshes when due.
 */
@Injectable()
export class HopperConnection {
  constructor(
    @InjectOAuthClient("cryptohopper") private readonly client: OAuthClient,
    @Inject(TokenLedger) private readonly ledger: TokenLedger,
  ) {}

  /** Whether the provider has a revocation endpoint (the sandbox does; Cryptohopper documents none). */
  get canRevoke(): boolean {
    return this.client.provider.endpoints.revocation !== undefined
  }

  /** Stores the tokens of a finished login under a new connection id: the passport user. */
  async connect(tokens: TokenSet): Promise<HopperUser> {
    const connection = randomUUID()
    await this.client.setSession(connection, tokens)
    return { connection, connectedAt: new Date().toISOString() }
  }

  /** The connection's token as stored now (no network); undefined when there is none. */
  view(user: HopperUser | undefined): TokenView | undefined {
    if (user === undefined) return undefined
    const entry = this.ledger.entry(storeKey.user(this.client.provider, user.connection))
    return entry === undefined ? undefined : toTokenView(entry)
  }

  /** A valid token for the connection (refreshed when due, or now with `forceRefresh`), as a view. */
  async token(
    user: HopperUser | undefined,
    options: { readonly forceRefresh?: boolean } = {},
  ): Promise<TokenView> {
    const session = this.#session(user)
    await this.client.getAccessToken({ session, forceRefresh: options.forceRefresh })
    const view = this.view(user)
    if (view === undefined) throw new LoginRequired({ reason: "no-session" })
    return view
  }

  /** Calls the Cryptohopper API (GET `path` under its API base) with the connection's token. */
  async call(user: HopperUser | undefined, path: string): Promise<ApiCall> {
    const session = this.#session(user)
    const checked = checkApiPath(path)
    const before = this.#refreshCount(session)
    const res = await this.client.fetch(checked, { session })
    const data = await readBody(res)
    return {
      provider: "cryptohopper",
      path: checked,
      status: res.status,
      ok: res.ok,
      data,
      calledAt: new Date().toISOString(),
      tokenRefreshed: this.#refreshCount(session) > before,
    }
  }

  /**
   * Revokes the connection's refresh and access tokens at the provider (RFC 7009) and forgets them
   * here. Forgetting happens even when revocation fails: the user asked to disconnect.
   */
  async disconnect(user: HopperUser | undefined): Promise<DisconnectResult> {
    const session = this.#session(user)
    const entry = this.ledger.entry(storeKey.user(this.client.provider, session))
    try {
      if (entry === undefined)
        return { revoked: false, message: "Disconnected (there were no tokens left to revoke)." }
      if (!this.canRevoke) {
        return {
          revoked: false,
          message:
            "Disconnected here. Cryptohopper has no revocation endpoint, so its tokens stay valid until they expire: remove the app in your Cryptohopper account to cut it off now.",
        }
      }
      // The refresh token first: revoking it ends the whole grant on servers that tie tokens together.
      if (entry.tokens.refreshToken !== undefined) {
        await this.client.revoke(entry.tokens.refreshToken, { hint: "refresh_token" })
      }
      await this.client.revoke(entry.tokens.accessToken, { hint: "access_token" })
      return { revoked: true, message: "Disconnected: the provider revoked the access and refresh tokens." }
    } catch (err) {
      if (!isOAuthError(err)) throw err
      return {
        revoked: false,
        message: `Disconnected here, but the provider did not confirm the revocation: ${toOAuthHttpError(err).body.message}`,
      }
    } finally {
      await this.client.clearSession(session)
    }
  }

  /** Forgets the connection's tokens without asking the provider (they were refused anyway). */
  async forget(user: HopperUser | undefined): Promise<void> {
    if (user !== undefined) await this.client.clearSession(user.connection)
  }

  #session(user: HopperUser | undefined): string {
    if (user === undefined) throw new LoginRequired({ reason: "no-session" })
    return user.connection
  }

  #refreshCount(session: string): number {
    return this.ledger.entry(storeKey.user(this.client.provider, session))?.refreshCount ?? 0
  }
}

/**
 * Runs `work` for the request's connection; when it shows the connection is gone (no tokens, or
 * the refresh token was refused), the session forgets it too, so the page offers Connect again.
 */
export const whileConnected = async <A>(
  req: Request,
  hopper: HopperConnection,
  work: (user: HopperUser | undefined) => Promise<A>,
): Promise<A> => {
  const user = isHopperUser(req.user) ? req.user : undefined
  try {
    return await work(user)
  } catch (err) {
    if (user !== undefined && needsNewLogin(err)) {
      await hopper.forget(user)
      await logOut(req)
    }
    throw err
  }
}
