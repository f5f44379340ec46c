// Runs after tsc: rebundles dist/*.js so that `import("@grantflow/core")` reads 2 files instead of
// 60 (Node's ESM loader costs about 0.6 ms per module file, more than the code itself). Every
// public module stays an entry point (@grantflow/core/ClientCredentials, ...) as a thin file that
// re-exports from one shared chunk, so a class is the same class whichever path imported it.
// Modules that must stay out of the root import keep their own chunks: the flows that need
// effect/Schema (loaded on first use) and the ky transport (ky is an optional peer).
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { rolldown } from "rolldown"

const dist = fileURLToPath(new URL("../dist/", import.meta.url))
const own = ["Discovery", "DeviceAuthorization", "Introspection", "PollDeviceAuthorization", "KyTransport", "ky"]

const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : [],
  )
// The previous bundle's chunks: tsc does not write them, and they are no input.
rmSync(join(dist, "chunks"), { recursive: true, force: true })
const all = files(dist)
const input = Object.fromEntries(
  all
    .map((f) => relative(dist, f).replace(/\.js$/, ""))
    .filter((name) => !name.startsWith("internal/"))
    .map((name) => [name, join(dist, `${name}.js`)]),
)

const bundle = await rolldown({
  input,
  platform: "neutral",
  // The kernel's pure functions are copied in (no classes, nothing to keep identical); effect is
  // the app's peer, undici and ky load only when used.
  external: (id) => /^(effect|undici|ky)(\/|$)/.test(id) || id.startsWith("node:"),
  logLevel: "warn",
})
const out = fileURLToPath(new URL("../dist-bundle/", import.meta.url))
rmSync(out, { recursive: true, force: true })
await bundle.write({
  dir: out,
  format: "esm",
  entryFileNames: "[name].js",
  chunkFileNames: "chunks/[name]-[hash].js",
  codeSplitting: {
    groups: [
      {
        name: "core",
        test: (id) => id.startsWith(dist) && !own.includes(relative(dist, id).replace(/\.js$/, "")),
      },
    ],
  },
})
await bundle.close()
// The bundle replaces tsc's JavaScript (and its now wrong source maps); declarations stay.
for (const f of all) {
  rmSync(f)
  rmSync(`${f}.map`, { force: true })
}
for (const f of files(out)) {
  const target = join(dist, relative(out, f))
  mkdirSync(join(target, ".."), { recursive: true })
  renameSync(f, target)
}
rmSync(out, { recursive: true, force: true })
console.log(`bundled ${Object.keys(input).length} entry points into dist/ (one shared chunk)`)
