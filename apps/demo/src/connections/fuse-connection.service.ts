import type { OAuthClient } from "@grantflow/core"
import { InjectOAuthClient } from "@grantflow/nest"
import { Inject, Injectable } from "@nestjs/common"
import { storeKey, TokenLedger } from "../tokens/token-ledger.js"
import { toTokenView, type TokenView } from "../tokens/token-view.js"
import { type ApiCall, readBody } from "./api-call.js"

/**
 * The app's own Cryptofuse token (client credentials): one token for the application, shared by
 * every visitor, requested on first use, cached, and replaced by a new one when it is due
 * (Cryptofuse issues no refresh tokens).
 */
@Injectable()
export class FuseConnection {
  constructor(
    @InjectOAuthClient("cryptofuse") private readonly client: OAuthClient,
    @Inject(TokenLedger) private readonly ledger: TokenLedger,
  ) {}

  /** The current token as stored (no network); undefined before the first one. */
  view(): TokenView | undefined {
    const entry = this.ledger.entry(storeKey.client(this.client.provider))
    return entry === undefined ? undefined : toTokenView(entry)
  }

  /** The cached token, a new one when there is none or it is due, or a new one now with `renew`. */
  async token(options: { readonly renew?: boolean } = {}): Promise<TokenView> {
    await this.client.getAccessToken({ forceRefresh: options.renew })
    const view = this.view()
    if (view === undefined) throw new Error("the Cryptofuse token was not stored")
    return view
  }

  /** Calls the Cryptofuse API (GET `path`) with the app's token. */
  async call(path: string): Promise<ApiCall> {
    const before = this.view()?.refreshCount ?? 0
    const hadToken = this.view() !== undefined
    const res = await this.client.fetch(path)
    const data = await readBody(res)
    const after = this.view()?.refreshCount ?? 0
    return {
      provider: "cryptofuse",
      path,
      status: res.status,
      ok: res.ok,
      data,
      calledAt: new Date().toISOString(),
      tokenRefreshed: hadToken && after > before,
    }
  }
}
