// How `deviceAuthorization` reads answers oidc-provider never gives: a draft spelling, numbers as
// strings, a zero interval, missing fields, an error. oidc-provider always answers correctly and
// the sandbox has no device endpoint, so a one-route HTTP server here answers what each test sets.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { MAX_UNANSWERED_POLLS } from "../src/PollDeviceAuthorization.js"
import {
  ConfigError,
  InvalidResponse,
  OAuth,
  TransportError,
  OAuthServerError,
  Providers,
  createOAuthClient,
  type OAuthClient,
} from "../src/index.js"
import { rejectionOf } from "./helpers/sandbox.js"
import { withRecordingClock } from "./support/recordingClock.js"

const DEVICE_CODE = "dc-secret-0123456789abcdefghij"

describe("device authorization answers", () => {
  let server: Server
  let base: string
  type Answer = { status: number; body: unknown } | "reset"
  let answer: Answer = { status: 200, body: {} }
  /** Answers for the next requests, in order, before `answer` applies again. */
  let script: Answer[] = []
  const requests: Array<{ authorization: string | undefined; body: string }> = []
  let client: OAuthClient

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ""
      req.on("data", (chunk: Buffer) => (body += chunk.toString()))
      req.on("end", () => {
        requests.push({ authorization: req.headers.authorization, body })
        const next = script.shift() ?? answer
        // A connection reset: the request got no answer, as on a dropped network.
        if (next === "reset") return req.socket.destroy()
        res
          .writeHead(next.status, { "content-type": "application/json" })
          .end(typeof next.body === "string" ? next.body : JSON.stringify(next.body))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    client = createOAuthClient(
      Providers.generic({
        tokenEndpoint: `${base}/token`,
        deviceAuthorizationEndpoint: `${base}/device_authorization`,
        clientId: "tv-app",
        clientSecret: "tv-secret",
        scopes: ["read"],
        allowInsecureHttp: true,
      }),
      { timeoutMs: 5_000, retries: 0 },
    )
  })
  afterEach(() => {
    requests.length = 0
    script = []
    answer = { status: 200, body: {} }
  })
  afterAll(async () => {
    await client.dispose()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const valid = {
    device_code: DEVICE_CODE,
    user_code: "WDJB-MJHT",
    verification_uri: "https://example.com/device",
    expires_in: 1800,
  }

  it("sends the scopes with the client's Basic authentication, and defaults the interval to 5 s", async () => {
    answer = { status: 200, body: valid }
    const grant = await client.deviceAuthorization()
    expect(requests).toHaveLength(1)
    expect(requests[0]!.authorization).toMatch(/^Basic /)
    expect(new URLSearchParams(requests[0]!.body).get("scope")).toBe("read")
    expect(grant.intervalMs).toBe(5_000)
    expect(grant.verificationUriComplete).toBeUndefined()
    expect(Redacted.value(grant.deviceCode)).toBe(DEVICE_CODE)
  })

  it("takes Google's `verification_url` spelling and numbers sent as strings", async () => {
    const { verification_uri: _, ...rest } = valid
    answer = {
      status: 200,
      body: { ...rest, verification_url: "https://www.google.com/device", expires_in: "1800", interval: "7" },
    }
    const before = Date.now()
    const grant = await client.deviceAuthorization()
    expect(grant.verificationUri).toBe("https://www.google.com/device")
    expect(grant.intervalMs).toBe(7_000)
    expect(grant.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 1_800_000)
  })

  it("reads a zero interval as the default rather than polling in a loop", async () => {
    answer = { status: 200, body: { ...valid, interval: 0 } }
    expect((await client.deviceAuthorization()).intervalMs).toBe(5_000)
  })

  it("drops a verification_uri_complete that is not an http(s) URL", async () => {
    answer = { status: 200, body: { ...valid, verification_uri_complete: "javascript:alert(1)" } }
    expect((await client.deviceAuthorization()).verificationUriComplete).toBeUndefined()
  })

  for (const [what, body] of [
    ["no user_code", { ...valid, user_code: undefined }],
    ["no expires_in", { ...valid, expires_in: undefined }],
    ["a non-positive expires_in", { ...valid, expires_in: 0 }],
    ["a verification_uri that is not a URL", { ...valid, verification_uri: "enter the code on our site" }],
  ] as const) {
    it(`fails with InvalidResponse for an answer with ${what}, without repeating the device code`, async () => {
      answer = { status: 200, body }
      const error = await rejectionOf(client.deviceAuthorization())
      expect(error).toBeInstanceOf(InvalidResponse)
      expect(JSON.stringify(error) + String(error) + inspect(error)).not.toContain(DEVICE_CODE)
    })
  }

  it("fails with OAuthServerError for an RFC 6749 error answer", async () => {
    answer = { status: 401, body: { error: "invalid_client", error_description: "unknown client" } }
    const error = await rejectionOf(client.deviceAuthorization())
    expect(error).toBeInstanceOf(OAuthServerError)
    expect(error).toMatchObject({ error: "invalid_client", status: 401 })
  })

  it("refuses to poll with a grant whose interval is not positive, instead of polling in a loop", async () => {
    answer = { status: 200, body: valid }
    const grant = await client.deviceAuthorization()
    for (const intervalMs of [0, -1, Number.NaN]) {
      expect(await rejectionOf(client.pollDeviceAuthorization({ ...grant, intervalMs }))).toBeInstanceOf(
        ConfigError,
      )
    }
    const invalidDate = new Date(Number.NaN)
    expect(
      await rejectionOf(client.pollDeviceAuthorization({ ...grant, expiresAt: invalidDate })),
    ).toBeInstanceOf(ConfigError)
    expect(requests).toHaveLength(1)
  })

  it("keeps the device code out of a token endpoint error that echoes it, in any spelling", async () => {
    // Short and without digits: only knowing the secret, not its look, can scrub it.
    const code = "Ab+/cdE"
    answer = { status: 200, body: { ...valid, device_code: code } }
    const grant = await client.deviceAuthorization()
    answer = {
      status: 400,
      body: {
        error: "invalid_grant",
        error_description: `device code ${code} (${encodeURIComponent(code)}) is unknown`,
      },
    }
    // 1 ms between polls: this server answers at once and Promise callers run on the real clock.
    const error = await rejectionOf(client.pollDeviceAuthorization({ ...grant, intervalMs: 1 }))
    expect(error).toBeInstanceOf(OAuthServerError)
    expect(error).toMatchObject({
      error: "invalid_grant",
      description: "device code <redacted> (<redacted>) is unknown",
    })
    expect(new URLSearchParams(requests[1]!.body).get("device_code")).toBe(code)
  })

  it("fails with InvalidResponse for an HTML page", async () => {
    answer = { status: 200, body: "<html><body>Sign in</body></html>" }
    expect(await rejectionOf(client.deviceAuthorization())).toBeInstanceOf(InvalidResponse)
  })

  describe("polls that get no answer (RFC 8628 §3.5)", () => {
    const provider = () =>
      Providers.generic({
        tokenEndpoint: `${base}/token`,
        deviceAuthorizationEndpoint: `${base}/device_authorization`,
        clientId: "tv-app",
        clientSecret: "tv-secret",
        allowInsecureHttp: true,
      })
    const pending = { status: 400, body: { error: "authorization_pending" } }
    const tokens = { status: 200, body: { access_token: "at-1", token_type: "Bearer", expires_in: 3600 } }

    it("polls again after a connection reset, doubling the wait per unanswered poll and back to the interval after an answer", async () => {
      answer = { status: 200, body: { ...valid, interval: 1 } }
      const result = await withRecordingClock(({ adjust, sleeps, waitForSleep }) =>
        Effect.gen(function* () {
          const grant = yield* OAuth.deviceAuthorization(provider())
          script = ["reset", "reset", pending, "reset", tokens]
          const fiber = yield* Effect.forkChild(OAuth.pollDeviceAuthorization(provider(), grant))
          for (let n = 1; n <= 5; n++) {
            yield* waitForSleep(n)
            yield* adjust(sleeps[n - 1]!)
          }
          return { set: yield* Fiber.join(fiber), sleeps: [...sleeps] }
        }),
      )
      expect(result.sleeps).toEqual([1_000, 2_000, 4_000, 1_000, 2_000])
      expect(Redacted.value(result.set.accessToken)).toBe("at-1")
      expect(requests).toHaveLength(6)
    })

    it(`fails with the TransportError after ${MAX_UNANSWERED_POLLS + 1} unanswered polls in a row`, async () => {
      answer = { status: 200, body: { ...valid, interval: 1 } }
      const result = await withRecordingClock(({ adjust, sleeps, waitForSleep }) =>
        Effect.gen(function* () {
          const grant = yield* OAuth.deviceAuthorization(provider())
          answer = "reset"
          const fiber = yield* Effect.forkChild(OAuth.pollDeviceAuthorization(provider(), grant))
          for (let n = 1; n <= MAX_UNANSWERED_POLLS + 1; n++) {
            yield* waitForSleep(n)
            yield* adjust(sleeps[n - 1]!)
          }
          return { exit: yield* Fiber.await(fiber), sleeps: [...sleeps] }
        }),
      )
      expect(result.sleeps).toEqual([1_000, 2_000, 4_000, 8_000])
      const error = Exit.isFailure(result.exit)
        ? Option.getOrUndefined(Exit.findErrorOption(result.exit))
        : undefined
      expect(error).toBeInstanceOf(TransportError)
      expect(error).toMatchObject({ reason: "network" })
      expect(requests).toHaveLength(1 + MAX_UNANSWERED_POLLS + 1)
    })
  })
})
