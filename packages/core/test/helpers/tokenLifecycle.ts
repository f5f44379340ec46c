import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type Sandbox, type SandboxOptions, startSandbox } from "@grantflow/sandbox"
import { afterAll, afterEach, beforeAll } from "vitest"
import {
  createOAuthClient,
  SessionKey,
  type OAuthClient,
  type OAuthClientOptions,
  type Provider,
  type TokenSet,
  type TokenStore,
} from "../../src/index.js"
import { followAuthorize } from "./sandbox.js"

/** Clients made by a test file, disposed after each test. */
export const clientPool = () => {
  const clients: Array<OAuthClient> = []
  return {
    make: (provider: Provider, options?: OAuthClientOptions) => {
      const c = createOAuthClient(provider, options)
      clients.push(c)
      return c
    },
    disposeAll: () => Promise.all(clients.splice(0).map((c) => c.dispose())),
  }
}

/**
 * A sandbox for one test file, and the file's client pool: started before its tests, faults and
 * request counts cleared and clients disposed after each test, stopped after all of them.
 */
export const sandboxPerFile = (options?: SandboxOptions) => {
  const pool = clientPool()
  let sandbox: Sandbox | undefined
  beforeAll(async () => {
    sandbox = await startSandbox(options)
  })
  afterEach(async () => {
    sandbox?.faults.clear()
    sandbox?.stats.reset()
    await pool.disposeAll()
  })
  afterAll(() => sandbox?.stop())
  return {
    pool,
    /** The running sandbox (inside tests and hooks). */
    get sb(): Sandbox {
      if (sandbox === undefined) throw new Error("the sandbox starts in beforeAll: use it inside a test")
      return sandbox
    },
  }
}

/** Signs a user in through the sandbox's authorize endpoint and stores the tokens as `session`. */
export const login = async (
  c: OAuthClient,
  session: string,
  scopes: ReadonlyArray<string> = ["read", "user"],
) => {
  const { url } = await c.authorizationUrl({ scopes })
  return c.handleCallback(await followAuthorize(url), { session })
}

/** Makes the client believe the session's access token has expired (as if time had passed). */
export const expireLocally = (c: OAuthClient, session: string, tokens: TokenSet) =>
  c.setSession(session, { ...tokens, expiresAt: new Date(Date.now() - 1_000) })

/** What a store holds for a session, read directly. */
export const stored = async (
  store: TokenStore["Service"],
  provider: Provider,
  options: SessionKey.SessionOptions,
) => Option.getOrUndefined(await Effect.runPromise(store.get(SessionKey.of(provider, options))))

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
