// An expiry storm against a token server in its own process (a forked sandbox that rotates
// refresh tokens): every session renewed, none lost, no refresh token sent twice.
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Providers, createOAuthClient, type TokenSet } from "../src/index.js"
import { HOPPER, followAuthorize } from "./helpers/sandbox.js"
import { type ForkedSandbox, forkSandbox } from "./support/sandboxProcess.js"

let server: ForkedSandbox
beforeAll(async () => {
  server = await forkSandbox({ consent: "approve", rotateRefreshTokens: true })
})
afterAll(() => server.stop())

describe("an expiry storm", { timeout: 120_000 }, () => {
  it("renews 200 sessions that expired together once each, queueing for 2 renewal slots longer than the timeout", async () => {
    const provider = Providers.cryptohopper({
      ...HOPPER,
      endpoints: {
        authorization: server.cryptohopper.authorizationEndpoint,
        token: server.cryptohopper.tokenEndpoint,
        api: server.cryptohopper.apiBase,
      },
    })
    // 2 slots, 60 ms per answer: the last renewal waits about 6 s for its slot, longer than the 5 s
    // timeout, which must only count from when its request is sent. (5 s, not less: a loaded CI
    // machine stalls event loops for seconds.)
    const c = createOAuthClient(provider, { timeoutMs: 5_000, tokenManager: { maxConcurrentRenewals: 2 } })
    try {
      const sessions = Array.from({ length: 200 }, (_, i) => `storm-${i}`)
      const logins = new Map<string, TokenSet>()
      for (const session of sessions) {
        const { url } = await c.authorizationUrl({ scopes: ["read", "user"] })
        logins.set(session, await c.handleCallback(await followAuthorize(url), { session }))
      }
      // All of them expired at the same moment.
      for (const session of sessions)
        await c.setSession(session, { ...logins.get(session)!, expiresAt: new Date(Date.now() - 1_000) })
      await server.resetStats()
      await server.delayTokens(60, sessions.length)
      const results = await Promise.allSettled(sessions.map((session) => c.getTokenSet({ session })))
      const renewed = results.flatMap((r, i) =>
        r.status === "fulfilled" &&
        Redacted.value(r.value.accessToken) !== Redacted.value(logins.get(sessions[i]!)!.accessToken)
          ? [r.value]
          : [],
      )
      expect(results.filter((r) => r.status === "rejected")).toEqual([])
      expect(renewed).toHaveLength(200)
      // One refresh per session: with rotation, a refresh token sent twice would have failed a session.
      expect(await server.tokenRequests()).toBe(200)
      // The rotated refresh tokens the store kept are the live ones.
      const again = await c.getAccessToken({ session: "storm-7", forceRefresh: true })
      expect(Redacted.value(again)).not.toBe(Redacted.value(renewed[7]!.accessToken))
    } finally {
      await c.dispose()
    }
  })
})
