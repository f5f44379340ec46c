/**
 * encryption_at_rest: what `encryptedTokenStore` (AES-256-GCM on WebCrypto) adds to a store
 * operation. The same token set is written and read back `ops` times, one operation awaited after
 * the other, in four stores: memory and Redis, each plain and encrypted. The figure is wall time
 * per operation in this process; the cost of encryption is the difference to the plain store.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createClient } from "redis"
import { Pending } from "./Pending.ts"
import { figure, type Entry, type ScenarioResult } from "./results.ts"
import type { Context } from "./scenarios.ts"

const stores = ["memory", "memory+encrypted", "redis", "redis+encrypted"] as const

export async function encryptionAtRest(ctx: Context): Promise<ScenarioResult> {
  let core: typeof import("@grantflow/core")
  let redisPkg: typeof import("@grantflow/redis")
  try {
    ;[core, redisPkg] = await Promise.all([import("@grantflow/core"), import("@grantflow/redis")])
  } catch (e) {
    throw new Pending(
      `@grantflow/core or redis could not be loaded (built?): ${(e as Error).message.split("\n")[0]}`,
    )
  }
  const ops = ctx.smoke ? 50 : 5_000
  const warmup = ctx.smoke ? 10 : 500
  const redis = await ctx.redis()
  const connection = await createClient({ url: redis.url })
    .on("error", () => {})
    .connect()
  const keys = [{ id: "bench", key: core.generateEncryptionKey() }]
  const make = (name: (typeof stores)[number]) => {
    const plain = name.startsWith("redis")
      ? redisPkg.redisTokenStore(connection)
      : core.MemoryTokenStore.make()
    return name.endsWith("+encrypted") ? core.encryptedTokenStore(plain, { keys }) : plain
  }
  const tokens = {
    accessToken: Redacted.make("A".repeat(40)),
    tokenType: "Bearer",
    expiresAt: new Date(Date.now() + 3_600_000),
    refreshToken: Redacted.make("R".repeat(40)),
    scopes: ["read", "write"],
    raw: {},
  }
  const values: Record<string, { setUs: number[]; getUs: number[] }> = {}
  try {
    for (let run = 1; run <= ctx.runs; run++) {
      for (const name of stores) {
        const store = make(name)
        const time = async (n: number, op: (i: number) => Effect.Effect<unknown, unknown>) => {
          const t0 = performance.now()
          for (let i = 0; i < n; i++) await Effect.runPromise(op(i))
          return ((performance.now() - t0) * 1000) / n
        }
        await time(warmup, (i) => store.set(`warm:${i % 16}`, tokens))
        const setUs = await time(ops, (i) => store.set(`s:${i % 64}`, tokens))
        const getUs = await time(ops, (i) => store.get(`s:${i % 64}`))
        const v = (values[name] ??= { setUs: [], getUs: [] })
        v.setUs.push(setUs)
        v.getUs.push(getUs)
        ctx.log(
          `  encryption_at_rest run ${run}/${ctx.runs} ${name}: setUs=${setUs.toFixed(1)} getUs=${getUs.toFixed(1)}`,
        )
      }
      await redis.flush()
    }
  } finally {
    await connection.close()
  }
  const results: Record<string, Entry> = {}
  for (const [name, v] of Object.entries(values))
    results[name] = { status: "ok", ...figure(v.setUs), extra: { getUs: figure(v.getUs) } }
  const med = (name: string, f: "setUs" | "getUs") => figure(values[name]![f]).median
  const ratios: Record<string, number> = {}
  for (const base of ["memory", "redis"]) {
    ratios[`${base}+encrypted/${base} set`] = med(`${base}+encrypted`, "setUs") / med(base, "setUs")
    ratios[`${base}+encrypted/${base} get`] = med(`${base}+encrypted`, "getUs") / med(base, "getUs")
  }
  const addedSet = med("memory+encrypted", "setUs") - med("memory", "setUs")
  const addedGet = med("memory+encrypted", "getUs") - med("memory", "getUs")
  const round = (v: number) => Math.round(v * 10) / 10
  return {
    description:
      `What encryptedTokenStore adds per store operation: ${ops.toLocaleString("en")} sequential set and get ` +
      "of one token set (40-character access and refresh token), memory and Redis, plain and encrypted, in the bench process.",
    metric: "wall time per set (get in extra)",
    unit: "µs",
    goal: "encryption adds at most 100 µs per store operation",
    results,
    ratios,
    verdict: {
      status: Math.max(addedSet, addedGet) <= 100 ? "met" : "not met",
      detail: `encryption adds ${round(addedSet)} µs per set and ${round(addedGet)} µs per get (memory store); Redis: ${round(med("redis+encrypted", "setUs") - med("redis", "setUs"))} / ${round(med("redis+encrypted", "getUs") - med("redis", "getUs"))} µs`,
    },
    parameters: { ops, warmup, cipher: "AES-256-GCM (WebCrypto)", redis: "redis-server, one per bench run" },
  }
}
