import { Module } from "@nestjs/common"
import { MemoryTokenStore, TokenStore } from "@grantflow/core"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { GrantflowClients, GrantflowModule } from "../src/index.js"
import { createApp, fuseProvider } from "./support.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.stop())

/** A TokenStore Layer holding a resource, released only when the client's runtime is disposed. */
const storeLayer = (name: string, released: string[], closing: "succeeds" | "fails" = "succeeds") =>
  Layer.effect(
    TokenStore,
    Effect.acquireRelease(Effect.sync(MemoryTokenStore.make), () =>
      closing === "succeeds"
        ? Effect.sync(() => {
            released.push(name)
          })
        : Effect.die(new Error(`the ${name} store could not close its connection`)),
    ),
  )

describe("shutdown", () => {
  it("disposes every client's runtime when the application closes", async () => {
    const released: string[] = []
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: {
            first: { provider: fuseProvider(sb), options: { tokenStore: storeLayer("first", released) } },
            second: { provider: fuseProvider(sb), options: { tokenStore: storeLayer("second", released) } },
          },
        }),
      ],
    })
    class AppModule {}
    const { app } = await createApp(AppModule)
    const clients = app.get(GrantflowClients)
    await clients.get("first").getAccessToken()
    await clients.get("second").getAccessToken()
    expect(released).toEqual([])

    await app.close()
    expect(released.sort()).toEqual(["first", "second"])
    await clients.dispose()
    expect(released).toHaveLength(2)
  })

  it("disposes the other clients and logs the failure when one client fails to dispose", async () => {
    const released: string[] = []
    @Module({
      imports: [
        GrantflowModule.forRoot({
          clients: {
            flaky: {
              provider: fuseProvider(sb),
              options: { tokenStore: storeLayer("flaky", released, "fails") },
            },
            steady: { provider: fuseProvider(sb), options: { tokenStore: storeLayer("steady", released) } },
          },
        }),
      ],
    })
    class AppModule {}
    const { app, logger } = await createApp(AppModule)
    const clients = app.get(GrantflowClients)
    await clients.get("flaky").getAccessToken()
    await clients.get("steady").getAccessToken()

    await app.close()
    expect(released).toEqual(["steady"])
    expect(logger.text()).toContain(`Disposing OAuth client "flaky" failed`)
  })
})
