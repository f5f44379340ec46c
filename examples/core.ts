// packages/core/README.md's first example, as a file the tests run.
// Run: `node examples/core.ts` (Node >= 22.19, core's floor),
// against a sandbox (`pnpm sandbox`, then GRANTFLOW_SANDBOX_URL=http://127.0.0.1:4010) or the real
// Cryptofuse (FUSE_ID and FUSE_SECRET).
import { Providers, createOAuthClient, OAuthServerError } from "@grantflow/core"

const sandbox = process.env.GRANTFLOW_SANDBOX_URL // e.g. http://127.0.0.1:4010 from `pnpm sandbox`
const fuse = createOAuthClient(
  sandbox
    ? Providers.cryptofuse({
        clientId: "fuse-client",
        clientSecret: "fuse-secret-with/special+chars",
        baseUrl: `${sandbox}/cryptofuse`,
      })
    : Providers.cryptofuse({ clientId: process.env.FUSE_ID!, clientSecret: process.env.FUSE_SECRET! }),
)
try {
  const res = await fuse.fetch("/rates/") // token fetched, cached, attached as Bearer, renewed on 401
  console.log(await res.json())
} catch (e) {
  // Every failure is a tagged error (OAuthServerError, TransportError, ...); none contains the secret.
  if (e instanceof OAuthServerError) console.error(`token refused: ${e.error} (HTTP ${e.status})`)
  else console.error(String(e))
  process.exitCode = 1
} finally {
  await fuse.dispose()
}
