/**
 * A core `TokenStore` on the local disk: one file per session under `<directory>/sessions/`,
 * each created with mode 0600 in a 0700 directory and replaced atomically (temp file + fsync +
 * rename), so a crash never leaves a torn token file. Pair it with `FileRefreshLock` on the same
 * directory so that two processes never renew one session at once.
 *
 * A file holds `{ version: 1, key, tokens }`: `tokens` is core's encoding of the TokenSet, or
 * its ciphertext when a `codec` from core's encryption at rest is given. Anything else in the
 * file (truncated JSON, another key, a wrong shape) is a `StoreError` naming the file.
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
import { decodeTokenSet, encodeTokenSet, StoreError, TokenStore, type TokenSet } from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AtomicFile from "./AtomicFile.js"
import * as FileName from "./FileName.js"
import * as StateDirectory from "./StateDirectory.js"

/** How a TokenSet becomes the `tokens` string of a file and back (core's encoding by default). */
export interface TokenCodec {
  readonly encode: (tokens: TokenSet) => Effect.Effect<string, StoreError>
  readonly decode: (data: string) => Effect.Effect<TokenSet, StoreError>
}

export interface FileTokenStoreOptions {
  /** The state directory (see `StateDirectory.resolve`); sessions go to its `sessions/` folder. */
  readonly directory: string
  /** Encryption at rest, or another encoding; default: core's plain `encodeTokenSet`. */
  readonly codec?: TokenCodec | undefined
}

/** One stored session as `list` sees it: its tokens, or why they cannot be read. */
export type StoredSession =
  | { readonly key: string; readonly file: string; readonly tokens: TokenSet }
  | { readonly key: string | undefined; readonly file: string; readonly problem: StoreError }

/** A TokenStore that can also list what it holds (for `grantflow status`). */
export type FileTokenStore = TokenStore["Service"] & {
  readonly directory: string
  readonly list: () => Effect.Effect<ReadonlyArray<StoredSession>, StoreError>
}

const TokenFile = Schema.Struct({
  version: Schema.Literal(1),
  key: Schema.String,
  tokens: Schema.String,
})
const decodeTokenFile = Schema.decodeUnknownResult(TokenFile)

const detail = (error: unknown): string =>
  error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)

/** Core's plain encoding, with undecodable data turned into a StoreError. */
export const plainCodec: TokenCodec = {
  encode: (tokens) => Effect.succeed(encodeTokenSet(tokens)),
  decode: (data) =>
    Effect.try({
      try: () => decodeTokenSet(data),
      catch: (error) =>
        new StoreError({
          operation: "tokenStore.decode",
          detail: `the stored token set is not valid (${detail(error)})`,
        }),
    }),
}

/** The file that holds `key` in `directory`. */
export const fileOf = (directory: string, key: string): string =>
  join(directory, "sessions", `${FileName.of(key)}.json`)

/** A TokenStore over files in `options.directory`. */
export const make = (options: FileTokenStoreOptions): FileTokenStore => {
  const codec = options.codec ?? plainCodec
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

  const decodeIn = (file: string, data: string) =>
    codec
      .decode(data)
      .pipe(
        Effect.mapError(
          (error) =>
            new StoreError({
              operation: error.operation,
              detail: `${file}: ${error.detail ?? "unreadable"}`,
            }),
        ),
      )

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
      return Option.some(yield* decodeIn(file, envelope.value.tokens))
    })

  const set = (key: string, tokens: TokenSet) =>
    Effect.gen(function* () {
      const file = fileOf(options.directory, key)
      const data = yield* codec.encode(tokens)
      yield* Effect.tryPromise({
        try: async () => {
          await ensureDirectory()
          await AtomicFile.write(file, `${JSON.stringify({ version: 1, key, tokens: data })}\n`)
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
        const read = yield* Effect.result(
          Effect.flatMap(readEnvelope(file), (envelope) =>
            Option.isNone(envelope)
              ? Effect.succeed(undefined)
              : Effect.map(Effect.result(decodeIn(file, envelope.value.tokens)), (tokens) => ({
                  key: envelope.value.key,
                  tokens,
                })),
          ),
        )
        if (Result.isFailure(read)) found.push({ key: undefined, file, problem: read.failure })
        else if (read.success !== undefined) {
          const { key, tokens } = read.success
          found.push(
            Result.isSuccess(tokens)
              ? { key, file, tokens: tokens.success }
              : { key, file, problem: tokens.failure },
          )
        }
      }
      return found
    })

  return { ...TokenStore.of({ get, set, delete: remove }), directory: options.directory, list }
}
