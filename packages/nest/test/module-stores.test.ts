// Module-level stores: one `stores` option reaches every client, and a shared token store given
// alone (the old README's "Redis token store") stops the bootstrap instead of running beside the
// in-memory lock. The Redis end of this is tested in packages/redis with a real redis-server.
import { Module } from "@nestjs/common"
import { ConfigError, MemoryRefreshLock, MemoryTokenStore, RefreshLock, TokenStore } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { GrantflowClients, GrantflowModule } from "../src/index.js"
import { createApp, fuseProvider } from "./support.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterAll(() => sb.stop())
const apps: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** A token store nothing marks process-local, as a Redis one. */
const sharedStore = (): TokenStore["Service"] => {
  const { processLocal: _, ...rest } = MemoryTokenStore.make()
  return TokenStore.of(rest)
}

describe("module-level stores", () => {
  it("gives every client the token store and lock of the module's `stores` Layer", async () => {
    const inner = MemoryRefreshLock.make()
    let lockUses = 0
    const lock = RefreshLock.of({
      withLock: (key, effect, options) =>
        Effect.suspend(() => (lockUses++, inner.withLock(key, effect, options))),
    })
    const stores = Layer.succeedContext(
      Context.make(TokenStore, sharedStore()).pipe(Context.add(RefreshLock, lock)),
    )
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: { a: fuseProvider(sb, { scopes: ["read"] }), b: fuseProvider(sb, { scopes: ["write"] }) },
          stores,
        }),
      ],
    })
    class AppModule {}
    const { app } = await createApp(AppModule)
    apps.push(app)
    const clients = app.get(GrantflowClients)
    await clients.get("a").getAccessToken()
    await clients.get("b").getAccessToken()
    expect(lockUses).toBe(2)
  })

  it("stops the bootstrap with a ConfigError for a shared token store without its lock", async () => {
    @Module({
      imports: [GrantflowModule.forRoot({ clients: { a: fuseProvider(sb) }, tokenStore: sharedStore() })],
    })
    class AppModule {}
    await expect(createApp(AppModule)).rejects.toBeInstanceOf(ConfigError)
  })

  it("accepts that store with a module-level refreshLock", async () => {
    const lock = RefreshLock.of({ withLock: MemoryRefreshLock.make().withLock })
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: { a: fuseProvider(sb, { scopes: ["read"] }) },
          tokenStore: sharedStore(),
          refreshLock: lock,
        }),
      ],
    })
    class AppModule {}
    const { app } = await createApp(AppModule)
    apps.push(app)
    await app.get(GrantflowClients).get("a").getAccessToken()
  })
})
