// packages/cli/README.md's first example, as a file the tests run.
// Run: `node examples/cli.ts` (Node >= 22.19, core's floor) against a
// sandbox (`pnpm sandbox`, then GRANTFLOW_SANDBOX_URL=http://127.0.0.1:4010). It shares the `grantflow`
// command's token store: after `grantflow token cryptofuse` it uses that token, and the other way round.
import { Providers, createOAuthClient } from "@grantflow/core"
import { FileRefreshLock, FileTokenStore, StateDirectory } from "@grantflow/cli"

const sandbox = process.env.GRANTFLOW_SANDBOX_URL ?? "http://127.0.0.1:4010"
const directory = StateDirectory.resolve(process.env) // ~/.local/state/grantflow, where `grantflow` keeps tokens
const fuse = createOAuthClient(
  Providers.cryptofuse({
    clientId: "fuse-client",
    clientSecret: "fuse-secret-with/special+chars",
    baseUrl: `${sandbox}/cryptofuse`,
  }),
  { tokenStore: FileTokenStore.make({ directory }), refreshLock: FileRefreshLock.make({ directory }) },
)
try {
  const res = await fuse.fetch("/rates/") // the token `grantflow` stored, renewed (once, across processes) when due
  console.log(res.status, (await res.json()).base)
} catch (e) {
  console.error(String(e)) // a tagged error (OAuthServerError, TransportError, StoreError, ...), never a secret
  process.exitCode = 1
} finally {
  await fuse.dispose()
}
