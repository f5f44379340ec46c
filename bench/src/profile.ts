/**
 * A CPU profile of one contender's cold requests, for finding where a request's microseconds go
 * (the figures in README's "Where the microseconds go"):
 *
 *   node src/profile.ts grantflow 5000     # writes profiles/<contender>.cpuprofile, prints the top self times
 *   node src/profile.ts api:grantflow 5000 # the same for api_call's contenders (cached-token API calls)
 *
 * The stub runs in a child process so that the profile holds the client's work only.
 */
import { fork } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Session } from "node:inspector/promises"
import { apiImpls, requestImpls } from "./impls.ts"
import { startStub } from "./stubServer.ts"

if (process.argv[2] === "--stub") {
  const stub = await startStub()
  process.send?.({ url: stub.url, tokenEndpoint: stub.tokenEndpoint })
} else {
  const impl = process.argv[2] ?? "grantflow"
  const requests = Number(process.argv[3] ?? 5000)
  const child = fork(fileURLToPath(import.meta.url), ["--stub"], { stdio: "inherit" })
  const target = await new Promise<{ url: string; tokenEndpoint: string }>((r) =>
    child.once("message", r as never),
  )
  const request = impl.startsWith("api:")
    ? await apiImpls[impl.slice(4)]!(target)
    : await requestImpls[impl]!(target)
  for (let i = 0; i < 500; i++) await request()
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 100 })
  await session.post("Profiler.start")
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < requests; i++) await request()
  const cpu = process.cpuUsage(cpu0)
  const { profile } = await session.post("Profiler.stop")
  child.kill()
  const dir = fileURLToPath(new URL("../profiles/", import.meta.url))
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${impl.replace(/[^a-z0-9.-]/gi, "_")}.cpuprofile`)
  writeFileSync(file, JSON.stringify(profile))
  const us = (cpu.user + cpu.system) / requests
  console.log(`${impl}: ${us.toFixed(0)} µs CPU per request over ${requests} requests; profile in ${file}`)
  // Self time per function, and per package (the part of the path after the last node_modules/).
  const self = new Map<string, number>()
  const byPackage = new Map<string, number>()
  const dt = new Map<number, number>()
  profile.timeDeltas!.forEach((d, i) => dt.set(profile.samples![i]!, (dt.get(profile.samples![i]!) ?? 0) + d))
  // Idle samples are time off the CPU and the profiler's own calls are not the client's: neither
  // counts; the rest is scaled to the CPU time measured per request.
  const skip = (f: { functionName: string; url: string }) =>
    f.functionName === "(idle)" || f.url === "node:inspector" || f.url.startsWith("node:inspector")
  let total = 0
  for (const node of profile.nodes) {
    if (skip(node.callFrame)) continue
    const t = dt.get(node.id) ?? 0
    total += t
    const f = node.callFrame
    const where = f.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/packages\//, "@grantflow/")
    const key = `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + t)
    const pkg =
      f.url === ""
        ? f.functionName
        : where.startsWith("node:")
          ? "node:" + where.slice(5).split("/")[0]
          : where
              .split("/")
              .slice(0, where.startsWith("@") ? 2 : 1)
              .join("/")
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t)
  }
  const show = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .forEach(([k, t]) =>
        console.log(
          `  ${((t / total) * 100).toFixed(1).padStart(5)}%  ${((t / total) * us).toFixed(1).padStart(6)} µs  ${k}`,
        ),
      )
  console.log("by package / category:")
  show(byPackage, 15)
  console.log("top functions (self time):")
  show(self, 40)
  process.exit(0)
}
