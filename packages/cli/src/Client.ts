/**
 * The core Promise client a command works with: the configured provider over the file token store
 * and file refresh lock of the state directory, so every `grantflow` process shares the sessions
 * and renews each at most once.
 */
import type { OAuthClient, Provider } from "@grantflow/core"
import type { CommandContext } from "./CommandContext.js"
import * as FileRefreshLock from "./FileRefreshLock.js"
import * as FileTokenStore from "./FileTokenStore.js"
import * as ProviderConfig from "./ProviderConfig.js"
import * as StateDirectory from "./StateDirectory.js"

export interface OpenClient {
  readonly provider: Provider
  readonly client: OAuthClient
  readonly store: FileTokenStore.FileTokenStore
  /** `--session`; undefined is the client's default session (core's, the one `handleCallback(url)` stores). */
  readonly session: string | undefined
  /** The store key of the command's session (the user session, or the client-credentials token for `scopes`). */
  readonly key: string
  readonly scopes: ReadonlyArray<string> | undefined
}

/** Opens the store of the state directory (no provider needed: `status`), encrypted when a key is set. */
export const openStore = async (ctx: CommandContext): Promise<FileTokenStore.FileTokenStore> => {
  const { encryptionOptions } = await import("./Encryption.js")
  return FileTokenStore.make({
    directory: StateDirectory.resolve(ctx.env),
    encryption: encryptionOptions(ctx.env),
  })
}

/** Resolves the command's provider and opens a client on it. Call `client.dispose()` when done. */
export const open = async (ctx: CommandContext): Promise<OpenClient> => {
  const name = ctx.positionals[0]!
  const config = ProviderConfig.resolve(name, ctx.flags, ctx.env)
  ctx.provider = config
  const [{ createOAuthClient, SessionKey }, provider, store] = await Promise.all([
    import("@grantflow/core"),
    config.build(),
    openStore(ctx),
  ])
  const client = createOAuthClient(provider, {
    tokenStore: store,
    refreshLock: FileRefreshLock.make({ directory: store.directory }),
  })
  const session = typeof ctx.flags["session"] === "string" ? ctx.flags["session"] : undefined
  const scopes = ProviderConfig.parseScopes(ctx.flags["scopes"]) ?? config.defaultScopes
  const key =
    provider.grant === "client_credentials"
      ? SessionKey.clientCredentials(provider, scopes ?? provider.defaultScopes)
      : session === undefined
        ? SessionKey.defaultSession(provider)
        : SessionKey.user(provider, session)
  return { provider, client, store, session, key, scopes }
}
