// What `import("@grantflow/core")` loads: the root entry must not pull in effect/Schema (only the
// flows that decode metadata need it, and they load on first use), ky (an optional peer, for
// KyTransport and client.api only) or undici (loaded on the first request). Runs the built entry in
// a fresh Node process with a module-load hook, as a user's program would load it.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const dist = fileURLToPath(new URL("../dist/", import.meta.url))

/** Every module URL a fresh process loads for `import(entry)`. */
const loadedBy = (entry: string): ReadonlyArray<string> => {
  const script = `
    import { registerHooks } from "node:module"
    const seen = []
    registerHooks({ load(url, context, next) { seen.push(url); return next(url, context) } })
    await import(${JSON.stringify(entry)})
    console.log(JSON.stringify(seen))
  `
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })
  expect(run.stderr).toBe("")
  return JSON.parse(run.stdout) as ReadonlyArray<string>
}

const schema = (url: string) => /\/effect\/dist\/Schema[A-Za-z]*\.js$/.test(url)

describe("the root entry's import footprint", () => {
  it("loads neither effect/Schema, nor ky, nor undici", () => {
    const loaded = loadedBy(`${dist}index.js`)
    expect(loaded.some((u) => u.endsWith("/dist/index.js"))).toBe(true)
    expect(loaded.filter(schema)).toEqual([])
    expect(loaded.filter((u) => u.includes("/node_modules/ky/") || u.includes("/ky/distribution/"))).toEqual(
      [],
    )
    expect(loaded.filter((u) => u.includes("/undici/"))).toEqual([])
  })

  it("loads effect/Schema with the discovery module, which needs it", () => {
    expect(loadedBy(`${dist}Discovery.js`).some(schema)).toBe(true)
  })
})
