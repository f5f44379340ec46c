// packages/sandbox/README.md's first example, as a file the tests run.
// Run: `node examples/sandbox.ts` (Node >= 22.18; on 22.12-22.17 add --experimental-strip-types).
import { startSandbox } from "@grantflow/sandbox"

const sb = await startSandbox() // 127.0.0.1, any free port
const auth = "Basic " + btoa(`fuse-client:${encodeURIComponent("fuse-secret-with/special+chars")}`)
const res = await fetch(sb.cryptofuse.tokenEndpoint, {
  method: "POST",
  headers: { authorization: auth },
  body: new URLSearchParams({ grant_type: "client_credentials", scope: "read" }),
})
console.log(await res.json()) // { access_token: "…", expires_in: 36000, token_type: "Bearer", scope: "read" }
await sb.stop()
