import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "@grantflow/sandbox"
import { ConfigError, createOAuthClient, generateEncryptionKey, PendingSeal } from "../src/index.js"
import { followAuthorize, hopperProvider, rejectionOf } from "./helpers/sandbox.js"

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ consent: "approve" })
})
afterAll(async () => {
  await sb.stop()
})

const keys = [{ id: "k1", key: generateEncryptionKey() }]

describe("PendingSeal", () => {
  it("lets one instance finish a login another started, with the pending login only in the browser's cookie", async () => {
    // Two instances that share nothing but the key: no session store, no StateStore.
    const [one, two] = [createOAuthClient(hopperProvider(sb)), createOAuthClient(hopperProvider(sb))]
    try {
      const { url, pending } = await one!.createAuthorizationRequest({ scopes: ["read"] })
      const cookie = await Effect.runPromise(PendingSeal.make({ keys }).seal(pending))
      expect(cookie).toMatch(/^[A-Za-z0-9_.-]+$/)
      expect(cookie).not.toContain(Redacted.value(pending.codeVerifier!))

      const callback = await followAuthorize(url)
      const opened = await Effect.runPromise(PendingSeal.make({ keys }).open(cookie))
      const tokens = await two!.completeCallback(callback, opened, { session: "alice" })
      expect(tokens.scopes).toEqual(["read"])
      expect(Redacted.value(await two!.getAccessToken({ session: "alice" }))).toBe(
        Redacted.value(tokens.accessToken),
      )
    } finally {
      await one!.dispose()
      await two!.dispose()
    }
  })

  it("opens a value sealed with an older key still listed, and refuses tampered, foreign and junk values as StateMismatch", async () => {
    const client = createOAuthClient(hopperProvider(sb))
    try {
      const { pending } = await client.createAuthorizationRequest()
      const old = PendingSeal.make({ keys })
      const sealed = await Effect.runPromise(old.seal(pending))
      const rotated = PendingSeal.make({ keys: [{ id: "k2", key: generateEncryptionKey() }, ...keys] })
      expect((await Effect.runPromise(rotated.open(sealed))).state).toBe(pending.state)

      const stranger = PendingSeal.make({ keys: [{ id: "k1", key: generateEncryptionKey() }] })
      const flipped = sealed.slice(0, -1) + (sealed.endsWith("A") ? "B" : "A")
      for (const [seal, value] of [
        [old, flipped],
        [stranger, sealed],
        [old, "not-a-sealed-value"],
        [old, ""],
      ] as const) {
        expect(await rejectionOf(Effect.runPromise(seal.open(value)))).toMatchObject({
          _tag: "StateMismatch",
          reason: "unknown",
        })
      }
      expect(() => PendingSeal.make({ keys: [{ id: "k", key: "short" }] })).toThrow(ConfigError)
    } finally {
      await client.dispose()
    }
  })
})
