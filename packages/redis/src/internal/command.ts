import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import { StoreError } from "@grantflow/core"
import { describeError, type RedisClientLike } from "../RedisClient.js"

/**
 * Runs one Redis call as an Effect: a rejection or a missing answer becomes `StoreError` naming
 * the operation, never the key's value (which may be a token).
 */
export const command = <A>(
  operation: string,
  timeoutMs: number,
  run: () => Promise<A>,
): Effect.Effect<A, StoreError> =>
  Effect.tryPromise({
    try: run,
    catch: (error) => new StoreError({ operation, detail: describeError(error) }),
  }).pipe(
    Effect.timeoutOrElse({
      duration: timeoutMs,
      orElse: () =>
        Effect.fail(new StoreError({ operation, detail: `no answer from Redis within ${timeoutMs} ms` })),
    }),
  )

/** A string reply as a string: node-redis gives Buffers under some type mappings. */
export const asString = (reply: unknown): string | undefined =>
  typeof reply === "string" ? reply : Buffer.isBuffer(reply) ? reply.toString("utf8") : undefined

/** A Lua script run by SHA1, loaded with EVAL the first time a server says it does not know it. */
export interface Script {
  readonly source: string
  readonly sha1: string
}

export const script = (source: string): Script => ({
  source,
  sha1: createHash("sha1").update(source).digest("hex"),
})

export const runScript = async (
  client: RedisClientLike,
  s: Script,
  keys: Array<string>,
  args: Array<string>,
): Promise<unknown> => {
  try {
    return await client.evalSha(s.sha1, { keys, arguments: args })
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
      return client.eval(s.source, { keys, arguments: args })
    }
    throw error
  }
}

export const defaultPrefix = "grantflow:"
export const defaultTimeoutMs = 5000

/** Decodes what a store wrote; a value it cannot read is a `StoreError`, without the value. */
export const decodeWith = <A>(
  operation: string,
  decode: (s: string) => A,
  raw: string,
): Effect.Effect<A, StoreError> =>
  Effect.try({
    try: () => decode(raw),
    catch: () => new StoreError({ operation, detail: "stored value could not be decoded" }),
  })
