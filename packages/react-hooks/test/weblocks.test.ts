// @vitest-environment node
/**
 * The Web Locks path, on Node's own `navigator.locks` (the same API browsers implement): jsdom has
 * none. The browser test covers it again in Chromium with real tabs.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { backendSource, createTokenController } from "../src/index.js"
import { startBackendServer, type BackendServer } from "./support/backendServer.js"

let server: BackendServer
beforeAll(async () => {
  server = await startBackendServer()
})
afterAll(async () => {
  await server.close()
})

describe("refresh lock with Web Locks", () => {
  test("two stores sharing a key refresh once through navigator.locks and both end with the new token", async () => {
    expect(typeof navigator.locks?.request).toBe("function")
    server.refreshDelayMs = 100
    const source = () =>
      backendSource({ tokenUrl: server.tokenUrl, loginUrl: server.loginUrl, logoutUrl: server.logoutUrl })
    const a = createTokenController(source())
    const b = createTokenController(source())
    const unsubscribe = [a.subscribe(() => {}), b.subscribe(() => {})]
    try {
      await Promise.all([a.getValidToken(), b.getValidToken()])
      const old = a.getSnapshot().accessToken
      await Promise.all([a.refresh(), b.refresh()])
      expect(server.counts.refreshPosts).toBe(1)
      const fresh = server.current()?.accessToken
      expect(fresh).not.toBe(old)
      expect(a.getSnapshot().accessToken).toBe(fresh)
      expect(b.getSnapshot().accessToken).toBe(fresh)
    } finally {
      for (const u of unsubscribe) u()
      a.dispose()
      b.dispose()
    }
  })
})
