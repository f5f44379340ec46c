// packages/redis/README.md's first example, as a file the tests run.
// Run: `node examples/redis.ts` with a Redis at REDIS_URL (default redis://127.0.0.1:6379) and a
// sandbox at GRANTFLOW_SANDBOX_URL (`pnpm sandbox`), or FUSE_ID / FUSE_SECRET for the real Cryptofuse.
import { createClient } from "redis"
import * as Redacted from "effect/Redacted"
import { createOAuthClient, Providers } from "@grantflow/core"
import { redisStores } from "@grantflow/redis"

const sandbox = process.env.GRANTFLOW_SANDBOX_URL // e.g. http://127.0.0.1:4010 from `pnpm sandbox`
const redis = await createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" })
  .on("error", () => {})
  .connect()
const fuse = createOAuthClient(
  sandbox
    ? Providers.cryptofuse({
        clientId: "fuse-client",
        clientSecret: "fuse-secret-with/special+chars",
        baseUrl: `${sandbox}/cryptofuse`,
      })
    : Providers.cryptofuse({ clientId: process.env.FUSE_ID!, clientSecret: process.env.FUSE_SECRET! }),
  { ...redisStores(redis, { prefix: "myapp:oauth:" }) },
)
try {
  // Every instance running this shares one cached token; one of them fetches it, the others wait and read it.
  const token = await fuse.getAccessToken()
  console.log(`token of ${Redacted.value(token).length} characters, cached in Redis for every instance`)
} catch (e) {
  console.error(String(e)) // a tagged error (OAuthServerError, TransportError, StoreError, ...)
  process.exitCode = 1
} finally {
  await fuse.dispose() // then close the connection you opened, or the process keeps running
  await redis.close()
}
