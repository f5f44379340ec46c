import { mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { StoreError, TokenStore, decodeTokenSet, encodeTokenSet } from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? String(e)

/**
 * A TokenStore keeping one file per session under `dir`. The tests point it below a regular file,
 * so every operation fails as a store fails when its backend is down (ENOTDIR instead of Redis'
 * ECONNREFUSED): a real failure of a real store, without bringing up another package's backend.
 */
export const fileTokenStore = (dir: string): TokenStore["Service"] => {
  const file = (key: string) => join(dir, `${encodeURIComponent(key)}.json`)
  const attempt = <A>(operation: string, run: () => Promise<A>) =>
    Effect.tryPromise({ try: run, catch: (e) => new StoreError({ operation, detail: codeOf(e) }) })
  return TokenStore.of({
    // One test process owns the directory: the in-memory refresh lock is enough.
    processLocal: true,
    get: (key) =>
      attempt("get", async () => {
        try {
          return Option.some(decodeTokenSet(await readFile(file(key), "utf8")))
        } catch (e) {
          if (codeOf(e) === "ENOENT") return Option.none()
          throw e
        }
      }),
    set: (key, tokens) =>
      attempt("set", async () => {
        await mkdir(dir, { recursive: true })
        await writeFile(file(key), encodeTokenSet(tokens), { mode: 0o600 })
      }),
    delete: (key) => attempt("delete", () => rm(file(key), { force: true })),
  })
}
