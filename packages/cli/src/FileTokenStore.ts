/**
 * A core `TokenStore` on the local disk: one file per session under `<directory>/sessions/`,
 * each created with mode 0600 in a 0700 directory and replaced atomically (temp file + fsync +
 * rename), so a crash never leaves a torn token file. Pair it with `FileRefreshLock` on the same
 * directory so that two processes never renew one session at once.
 *
 * A file holds `{ version: 1, key, tokens }`: `tokens` is core's encoding of the TokenSet. With
 * `encryption`, core's `encryptedTokenStore` seals each token set first (AES-256-GCM, bound to
 * its session key), so the file holds no token in clear, and the file says `sealed: true`.
 * Anything else in a file (truncated JSON, another key, a wrong shape, a sealed file read without
 * the key) is a `StoreError` naming the file.
 *
 * @example
 * ```ts
 * import { createOAuthClient, Providers } from "@grantflow/core"
 * import { FileRefreshLock, FileTokenStore } from "@grantflow/cli"
 * const directory = "/home/me/.local/state/grantflow"
 * const client = createOAuthClient(Providers.cryptofuse({ clientId, clientSecret }), {
 *   tokenStore: FileTokenStore.make({ directory }),
 *   refreshLock: FileRefreshLock.make({ directory }),
 * })
 * ```
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import {
  decodeTokenSet,
  encodeTokenSet,
  encryptedTokenStore,
  type EncryptionOptions,
  StoreError,
  TokenStore,
  type TokenSet,
} from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AtomicFile from "./AtomicFile.js"
import * as FileName from "./FileName.js"
import * as StateDirectory from "./StateDirectory.js"

export interface FileTokenStoreOptions {
  /** The state directory (see `StateDirectory.resolve`); sessions go to its `sessions/` folder. */
  readonly directory: string
  /**
   * Encrypts every token set at rest with core's `encryptedTokenStore` (AES-256-GCM; the first
   * key seals, every key opens). Without it, files written with encryption are refused.
   */
  readonly encryption?: EncryptionOptions | undefined
}

/** One stored session as `list` sees it: its tokens, or why they cannot be read. */
export type StoredSession =
  | {
      readonly key: string
      readonly file: string
      /**
       * The token set; for a file sealed with encryption that this store cannot open (no key), what
       * stays readable: the expiry and whether a refresh token exists (secrets are placeholders, scopes empty).
       */
      readonly tokens: TokenSet
      readonly sealed?: boolean | undefined
    }
  | { readonly key: string | undefined; readonly file: string; readonly problem: StoreError }

/** A TokenStore that can also list what it holds (for `grantflow status`). */
export type FileTokenStore = TokenStore["Service"] & {
  readonly directory: string
  readonly list: () => Effect.Effect<ReadonlyArray<StoredSession>, StoreError>
}

const TokenFile = Schema.Struct({
  version: Schema.Literal(1),
  key: Schema.String,
  /** Written by a store with encryption: `tokens` is core's encoding of a sealed token set. */
  sealed: Schema.optional(Schema.Boolean),
  tokens: Schema.String,
})
const decodeTokenFile = Schema.decodeUnknownResult(TokenFile)

const detail = (error: unknown): string =>
  error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)

const decodeTokens = (file: string, data: string) =>
  Effect.try({
    // Core's versioned decoding: a wrong shape or an unknown version is its StoreError.
    try: () => decodeTokenSet(data),
    catch: (error) =>
      new StoreError({
        operation: "tokenStore.get",
        detail: `${file} holds no valid token set (${error instanceof StoreError ? (error.detail ?? "unreadable") : detail(error)}); delete it and log in again`,
      }),
  })

/** The file that holds `key` in `directory`. */
export const fileOf = (directory: string, key: string): string =>
  join(directory, "sessions", `${FileName.of(key)}.json`)

/** A TokenStore over files in `options.directory`. Throws core's ConfigError for a malformed encryption key. */
export const make = (options: FileTokenStoreOptions): FileTokenStore => {
  const sealing = options.encryption !== undefined
  const sessions = join(options.directory, "sessions")
  let ready: Promise<void> | undefined
  const ensureDirectory = () =>
    (ready ??= StateDirectory.ensurePrivate(options.directory).then(() =>
      StateDirectory.ensurePrivate(sessions),
    ))

  const fail = (operation: string, file: string) => (error: unknown) =>
    error instanceof StoreError ? error : new StoreError({ operation, detail: `${file}: ${detail(error)}` })

  const readEnvelope = (file: string) =>
    Effect.gen(function* () {
      const text = yield* Effect.tryPromise({
        try: () =>
          readFile(file, "utf8").catch((error: NodeJS.ErrnoException) =>
            error.code === "ENOENT" ? undefined : Promise.reject(error),
          ),
        catch: fail("tokenStore.get", file),
      })
      if (text === undefined) return Option.none()
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        return yield* new StoreError({
          operation: "tokenStore.get",
          detail: `${file} is not valid JSON (a damaged token file: delete it and log in again)`,
        })
      }
      const envelope = decodeTokenFile(json)
      if (Result.isFailure(envelope)) {
        return yield* new StoreError({
          operation: "tokenStore.get",
          detail: `${file} is not a grantflow token file of version 1 (delete it and log in again)`,
        })
      }
      return Option.some(envelope.success)
    })

  const raw = (file: string, envelope: typeof TokenFile.Type) => {
    if (envelope.sealed === true && !sealing) {
      return Effect.fail(
        new StoreError({
          operation: "tokenStore.get",
          detail: `${file} is encrypted: set GRANTFLOW_ENCRYPTION_KEY to the key it was written with`,
        }),
      )
    }
    return decodeTokens(file, envelope.tokens)
  }

  const get = (key: string) =>
    Effect.gen(function* () {
      const file = fileOf(options.directory, key)
      const envelope = yield* readEnvelope(file)
      if (Option.isNone(envelope)) return Option.none<TokenSet>()
      if (envelope.value.key !== key) {
        return yield* new StoreError({
          operation: "tokenStore.get",
          detail: `${file} belongs to another session`,
        })
      }
      return Option.some(yield* raw(file, envelope.value))
    })

  const set = (key: string, tokens: TokenSet) =>
    Effect.gen(function* () {
      const file = fileOf(options.directory, key)
      const envelope = {
        version: 1,
        key,
        ...(sealing ? { sealed: true } : {}),
        tokens: encodeTokenSet(tokens),
      }
      yield* Effect.tryPromise({
        try: async () => {
          await ensureDirectory()
          await AtomicFile.write(file, `${JSON.stringify(envelope)}\n`)
        },
        catch: fail("tokenStore.set", file),
      })
    })

  const remove = (key: string) => {
    const file = fileOf(options.directory, key)
    return Effect.tryPromise({
      try: () => AtomicFile.remove(file),
      catch: fail("tokenStore.delete", file),
    }).pipe(Effect.asVoid)
  }

  const list = () =>
    Effect.gen(function* () {
      const names = yield* Effect.tryPromise({
        try: () =>
          readdir(sessions).catch((error: NodeJS.ErrnoException) =>
            error.code === "ENOENT" ? [] : Promise.reject(error),
          ),
        catch: fail("tokenStore.list", sessions),
      })
      const found: StoredSession[] = []
      for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
        const file = join(sessions, name)
        const envelope = yield* Effect.result(readEnvelope(file))
        if (Result.isFailure(envelope)) {
          found.push({ key: undefined, file, problem: envelope.failure })
          continue
        }
        if (Option.isNone(envelope.success)) continue
        const key = envelope.success.value.key
        if (envelope.success.value.sealed === true && !sealing) {
          const readable = yield* Effect.result(decodeTokens(file, envelope.success.value.tokens))
          found.push(
            Result.isSuccess(readable)
              ? { key, file, tokens: readable.success, sealed: true }
              : { key, file, problem: readable.failure },
          )
          continue
        }
        // Through the opened store: with encryption, this is where a record is decrypted.
        const tokens = yield* Effect.result(
          opened
            .get(key)
            .pipe(
              Effect.mapError((e) =>
                e.detail?.includes(file)
                  ? e
                  : new StoreError({ operation: e.operation, detail: `${file}: ${e.detail ?? e.message}` }),
              ),
            ),
        )
        if (Result.isFailure(tokens)) found.push({ key, file, problem: tokens.failure })
        else if (Option.isSome(tokens.success)) found.push({ key, file, tokens: tokens.success.value })
      }
      return found
    })

  const files = TokenStore.of({ get, set, delete: remove })
  const opened = options.encryption === undefined ? files : encryptedTokenStore(files, options.encryption)
  return { ...opened, directory: options.directory, list }
}
