/**
 * The packed tarball of @grantflow/core (and of the workspace packages it depends on, packed beside
 * it) as an app installs it: npm, a fresh project that already has effect 4.0.x, no ky. One copy of effect must end up in node_modules (effect is a peer
 * dependency), a token from grantflow must open with the app's own `Redacted.value`, `require()`
 * must work (require(esm), Node >= 22.12), and TypeScript 5.9 with `module: commonjs` (node10
 * resolution, still common in Nest apps) must resolve the types. Needs the npm registry (as
 * `scripts/bootstrap.sh` does); npm's cache makes reruns quick.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Sandbox, startSandbox } from "@grantflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runNode } from "./support/runNode.js"

const repo = fileURLToPath(new URL("../..", import.meta.url))
let app: string
let sandbox: Sandbox

/** Every installed copy of a package, found by walking node_modules. */
const copiesOf = (name: string, dir: string): Array<string> => {
  const found: Array<string> = []
  const walk = (nodeModules: string) => {
    if (!existsSync(nodeModules)) return
    for (const entry of readdirSync(nodeModules)) {
      const path = join(nodeModules, entry)
      if (entry.startsWith("@")) {
        for (const scoped of readdirSync(path)) visit(join(path, scoped))
      } else if (!entry.startsWith(".")) visit(path)
    }
  }
  const visit = (pkgDir: string) => {
    const manifest = join(pkgDir, "package.json")
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === name) found.push(pkgDir)
    walk(join(pkgDir, "node_modules"))
  }
  walk(join(dir, "node_modules"))
  return found
}

/** core and the workspace packages it depends on (unpublished here, so packed beside it): their dirs. */
const packedDirs = (name: string, seen = new Set<string>()): Array<string> => {
  const dir = join(repo, "packages", name.replace("@grantflow/", ""))
  if (seen.has(dir)) return []
  seen.add(dir)
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>
  }
  const workspace = Object.entries(manifest.dependencies ?? {}).filter(([, v]) => v.startsWith("workspace:"))
  return [dir, ...workspace.flatMap(([dep]) => packedDirs(dep, seen))]
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "grantflow-packed-"))
  const tarballs = packedDirs("@grantflow/core").map((dir) => {
    const before = new Set(readdirSync(app))
    execFileSync("pnpm", ["pack", "--pack-destination", app], { cwd: dir, stdio: "pipe" })
    return `./${readdirSync(app).find((f) => f.endsWith(".tgz") && !before.has(f))!}`
  })
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "packed-app", private: true, type: "module" }),
  )
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--prefer-offline",
      "--ignore-scripts",
      "effect@~4.0.0",
      "typescript@~5.9.0",
      // For the skipLibCheck-off check below: undici's declarations (a dependency) name node:* modules.
      "@types/node@^24",
      ...tarballs,
    ],
    { cwd: app, stdio: "pipe" },
  )
  sandbox = await startSandbox({ consent: "approve" })
})

afterAll(async () => {
  await sandbox?.stop()
  if (app !== undefined) rmSync(app, { recursive: true, force: true })
})

describe("the packed @grantflow/core in a fresh npm project with effect 4.0.x", () => {
  it("installs with one copy of effect (the app's) and without ky", () => {
    const effects = copiesOf("effect", app)
    expect(effects).toEqual([join(app, "node_modules", "effect")])
    expect(JSON.parse(readFileSync(join(effects[0]!, "package.json"), "utf8")).version).toMatch(/^4\.0\./)
    expect(copiesOf("ky", app)).toEqual([])
    expect(existsSync(join(app, "node_modules", "@grantflow", "core", "LICENSE"))).toBe(true)
  })

  it("hands out tokens the app's own effect can open, from an Effect program", async () => {
    writeFileSync(
      join(app, "effect-app.mjs"),
      `import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { OAuth, Providers } from "@grantflow/core"
const provider = Providers.cryptofuse({ clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars", baseUrl: process.env.FUSE_BASE_URL })
const tokens = await Effect.runPromise(OAuth.clientCredentials(provider, { scopes: ["read"] }).pipe(Effect.provide(OAuth.layer())))
console.log("access token length", Redacted.value(tokens.accessToken).length)
`,
    )
    const run = await runNode(["effect-app.mjs"], {
      cwd: app,
      env: { FUSE_BASE_URL: sandbox.cryptofuse.baseUrl },
    })
    expect(run.stderr).toBe("")
    expect(run.stdout).toMatch(/^access token length [1-9]\d*\n$/)
    expect(run.code).toBe(0)
  })

  it("loads with require() from CommonJS (require(esm))", async () => {
    writeFileSync(
      join(app, "require-app.cjs"),
      `const { createOAuthClient, Providers } = require("@grantflow/core")
const Redacted = require("effect/Redacted")
const fuse = createOAuthClient(Providers.cryptofuse({ clientId: "fuse-client", clientSecret: "fuse-secret-with/special+chars", baseUrl: process.env.FUSE_BASE_URL }))
fuse.getAccessToken({ scopes: ["read"] }).then(
  (token) => console.log("access token length", Redacted.value(token).length),
  (error) => { console.error(error); process.exitCode = 1 },
).finally(() => fuse.dispose())
`,
    )
    const run = await runNode(["require-app.cjs"], {
      cwd: app,
      env: { FUSE_BASE_URL: sandbox.cryptofuse.baseUrl },
    })
    expect(run.stderr).toBe("")
    expect(run.stdout).toMatch(/^access token length [1-9]\d*\n$/)
    expect(run.code).toBe(0)
  })

  it("resolves its types under TypeScript 5.9 with module commonjs (node10), the root and the ky entry", async () => {
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "commonjs",
          moduleResolution: "node10",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["check.ts"],
      }),
    )
    writeFileSync(
      join(app, "check.ts"),
      `import { createOAuthClient, Providers, type TokenSet } from "@grantflow/core"
import { KyTransport } from "@grantflow/core/ky"
const client = createOAuthClient(Providers.cryptofuse({ clientId: "id", clientSecret: "secret" }))
const refresh: (tokens: TokenSet) => unknown = (tokens) => tokens.refreshToken
export const pieces = [client, refresh, KyTransport.layer]
`,
    )
    const run = await runNode([join(app, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: app })
    expect(run.stdout + run.stderr).toBe("")
    expect(run.code).toBe(0)
  })

  it("typechecks an app without ky with skipLibCheck off: the root's types do not require ky (no TS2307)", async () => {
    writeFileSync(
      join(app, "tsconfig.strict.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["strict-check.ts"],
      }),
    )
    writeFileSync(
      join(app, "strict-check.ts"),
      `import { createOAuthClient, Providers } from "@grantflow/core"
const client = createOAuthClient(Providers.cryptofuse({ clientId: "id", clientSecret: "secret" }))
export const pieces = [client.fetch, client.api]
`,
    )
    const run = await runNode([join(app, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.strict.json"], {
      cwd: app,
    })
    expect(run.stdout + run.stderr).toBe("")
    expect(run.code).toBe(0)
  })
})
