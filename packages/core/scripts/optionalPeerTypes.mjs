// Runs after tsc: ky is an optional peer, but the root entry's declarations name its KyInstance
// (`client.api`). In an app without ky and with `skipLibCheck: false`, that import fails the app's
// typecheck (TS2307). A `// @ts-ignore` above it makes `api` degrade to `any` there instead, and
// changes nothing where ky is installed. tsc drops such comments from the .d.ts, so it goes in here.
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const file = fileURLToPath(new URL("../dist/OAuthClient.d.ts", import.meta.url))
const line = 'import type { KyInstance } from "ky";'
const text = readFileSync(file, "utf8")
if (!text.includes(`\n${line}\n`)) {
  // Loud, so a moved import cannot bring TS2307 back unnoticed.
  throw new Error(`optionalPeerTypes: ${file} no longer has the line ${line}; update this script`)
}
const ignore = "// @ts-ignore ky is an optional peer: without it, client.api is typed any"
// Idempotent: a rerun over declarations tsc did not rewrite adds nothing.
if (!text.includes(`${ignore}\n${line}`)) writeFileSync(file, text.replace(`\n${line}\n`, `\n${ignore}\n${line}\n`))
