/**
 * Survive a restart: a bot that acts for its owner's Cryptohopper account keeps the tokens in a
 * JSON file, so a restart neither logs the owner out nor spends a login. Plain async functions, no
 * Effect: `TokenStore.fromPromise` turns them into the client's token store.
 *
 *   node survive-a-restart.ts                  # no tokens yet: prints the URL to log in with
 *   node survive-a-restart.ts '<callback URL>' # stores the owner's tokens in the file
 *   node survive-a-restart.ts                  # any later run: calls the API with the stored tokens
 *
 * The login itself spans two processes too: the pending request (state, PKCE verifier) waits in
 * `<TOKEN_FILE>.pending` between them. With GRANTFLOW_SANDBOX_URL (e.g. from `pnpm sandbox`) it
 * talks to the sandbox instead of Cryptohopper; TOKEN_FILE says where the tokens live (default
 * ./tokens.json).
 */
import { readFile, rename, rm, writeFile } from "node:fs/promises"
import {
  Providers,
  TokenStore,
  type TokenSetJson,
  createOAuthClient,
  decodePending,
  encodePending,
} from "@grantflow/core"

const file = process.env.TOKEN_FILE ?? "./tokens.json"
const sandbox = process.env.GRANTFLOW_SANDBOX_URL

// The whole file is one JSON object: session key -> token set. Written to a temporary file and
// renamed, so a crash mid-write never leaves half a file.
const load = async (): Promise<Record<string, TokenSetJson>> => {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Record<string, TokenSetJson>
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {}
    throw e
  }
}
const save = async (all: Record<string, TokenSetJson>) => {
  await writeFile(`${file}.tmp`, JSON.stringify(all, null, 2), { mode: 0o600 })
  await rename(`${file}.tmp`, file)
}

const tokenStore = TokenStore.fromPromise(
  {
    get: async (key) => (await load())[key],
    set: async (key, tokens) => save({ ...(await load()), [key]: tokens }),
    delete: async (key) => {
      const { [key]: _, ...rest } = await load()
      await save(rest)
    },
  },
  // Only this bot opens the file: the in-memory refresh lock is enough.
  { processLocal: true },
)

const hopper = createOAuthClient(
  Providers.cryptohopper({
    clientId: process.env.CRYPTOHOPPER_CLIENT_ID ?? "hopper-app",
    clientSecret: process.env.CRYPTOHOPPER_CLIENT_SECRET ?? "hopper-secret",
    redirectUri: process.env.CRYPTOHOPPER_REDIRECT_URI ?? "http://127.0.0.1/callback",
    ...(sandbox === undefined
      ? {}
      : {
          endpoints: {
            authorization: `${sandbox}/cryptohopper/oauth2/authorize`,
            token: `${sandbox}/cryptohopper/oauth2/token`,
            api: `${sandbox}/cryptohopper/v1`,
          },
        }),
  }),
  {
    tokenStore,
    // Told after every change of a session's tokens (login, refresh, rotation, clear), after the
    // store has them: here, a line in the log when a restart had to renew.
    onTokens: (change) => console.log(`tokens: ${change.reason}`),
  },
)
try {
  const callback = process.argv[2]
  if (callback !== undefined) {
    // Decoded with a versioned schema: a damaged file is a StoreError, not a confusing failure later.
    const pending = decodePending(await readFile(`${file}.pending`, "utf8"))
    // No session name: the bot acts for one account, the client's default session.
    await hopper.completeCallback(callback, pending)
    await rm(`${file}.pending`)
    console.log("logged in; tokens saved to", file)
  } else if (Object.keys(await load()).length === 0) {
    const { url, pending } = await hopper.createAuthorizationRequest({ scopes: ["read", "user"] })
    await writeFile(`${file}.pending`, encodePending(pending), { mode: 0o600 })
    console.log("log in at:", url)
  } else {
    // A refused or expired token is renewed with the stored refresh token, and the file updated.
    const res = await hopper.fetch("/user/get")
    console.log("user:", JSON.stringify(await res.json()))
    const { expiresAt } = await hopper.getTokenSet()
    console.log("access token valid until", expiresAt?.toISOString() ?? "further notice")
  }
} finally {
  await hopper.dispose()
}
