import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TokenSet } from "@grantflow/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import * as FileTokenStore from "../src/FileTokenStore.js"

let directory: string
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "grantflow-store-"))
})
afterEach(() => rm(directory, { recursive: true, force: true }))

const tokens = (access: string): TokenSet => ({
  accessToken: Redacted.make(access),
  tokenType: "Bearer",
  expiresAt: new Date(Date.now() + 3_600_000),
  refreshToken: Redacted.make(`refresh-${access}`),
  scopes: ["read"],
  raw: {},
})

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? (exit.cause.reasons[0] as { error?: { _tag: string; detail: string } }).error
    : undefined

describe("FileTokenStore", () => {
  it("replaces a session's file whole, as 0600, leaving no temporary file behind", async () => {
    const store = FileTokenStore.make({ directory })
    await Effect.runPromise(store.set("p:c:default", tokens("first")))
    await Effect.runPromise(store.set("p:c:default", tokens("second")))
    const files = await readdir(join(directory, "sessions"))
    expect(files).toEqual(["p%3Ac%3Adefault.json"])
    expect((await stat(join(directory, "sessions", files[0]!))).mode & 0o777).toBe(0o600)
    const read = await Effect.runPromise(store.get("p:c:default"))
    expect(Option.map(read, (t) => Redacted.value(t.accessToken))).toEqual(Option.some("second"))
    await Effect.runPromise(store.delete("p:c:default"))
    expect(await Effect.runPromise(store.get("p:c:default"))).toEqual(Option.none())
  })

  it("ignores a temporary file a crash left between write and rename", async () => {
    const store = FileTokenStore.make({ directory })
    await Effect.runPromise(store.set("p:c:default", tokens("kept")))
    await writeFile(
      join(directory, "sessions", "p%3Ac%3Adefault.json.0123456789ab.tmp"),
      '{"version":1,"key":"p:c:def',
    )
    const listed = await Effect.runPromise(store.list())
    expect(
      listed.map((s) => ("tokens" in s ? Redacted.value(s.tokens.accessToken) : s.problem.message)),
    ).toEqual(["kept"])
  })

  it("refuses a file copied under another session's name", async () => {
    const store = FileTokenStore.make({ directory })
    await Effect.runPromise(store.set("p:c:user:alice", tokens("alice")))
    const sessions = join(directory, "sessions")
    await copyFile(join(sessions, "p%3Ac%3Auser%3Aalice.json"), join(sessions, "p%3Ac%3Auser%3Abob.json"))
    const error = failureOf(await Effect.runPromiseExit(store.get("p:c:user:bob")))
    expect(error?._tag).toBe("StoreError")
    expect(error?.detail).toContain("belongs to another session")
  })

  it("gives file names that are never paths or hidden files, and hashes keys too long for a name", async () => {
    const store = FileTokenStore.make({ directory })
    await Effect.runPromise(store.set("../..:x/y:user:.", tokens("odd")))
    await Effect.runPromise(store.set(`p:c:cc:${"scope ".repeat(100)}`, tokens("long")))
    const names = await readdir(join(directory, "sessions"))
    expect(names).toHaveLength(2)
    for (const name of names) {
      expect(name).not.toMatch(/^\.|\//)
      expect(name.length).toBeLessThanOrEqual(200)
    }
    expect(Option.isSome(await Effect.runPromise(store.get("../..:x/y:user:.")))).toBe(true)
  })

  it("seals token sets with encryption; a store without the key refuses them and lists only their expiry", async () => {
    const key = Buffer.alloc(32, 7).toString("base64")
    const sealed = FileTokenStore.make({ directory, encryption: { keys: [{ id: "k1", key }] } })
    await Effect.runPromise(sealed.set("p:c:default", tokens("secret-access")))
    const text = await readFile(join(directory, "sessions", "p%3Ac%3Adefault.json"), "utf8")
    expect(text).not.toContain("secret-access")
    expect(Option.map(await Effect.runPromise(sealed.get("p:c:default")), (t) => t.scopes)).toEqual(
      Option.some(["read"]),
    )
    const plain = FileTokenStore.make({ directory })
    const error = failureOf(await Effect.runPromiseExit(plain.get("p:c:default")))
    expect(error?.detail).toContain("is encrypted: set GRANTFLOW_ENCRYPTION_KEY")
    // Listing without the key shows what stays readable: the expiry and that a refresh token exists.
    const [listed] = await Effect.runPromise(plain.list())
    expect(listed).toMatchObject({ key: "p:c:default", sealed: true })
    const readable = listed !== undefined && "tokens" in listed ? listed.tokens : undefined
    expect(readable?.scopes).toEqual([])
    expect(readable?.refreshToken).toBeDefined()
    expect(Redacted.value(readable!.accessToken)).not.toContain("secret-access")
  })
})
