import { inspect } from "node:util"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { ConfigProblems, loadConfig } from "../src/config.js"

const SECRET = "0123456789abcdef0123456789abcdef"
const HOPPER = {
  CRYPTOHOPPER_CLIENT_ID: "hopper-id",
  CRYPTOHOPPER_CLIENT_SECRET: "hopper-secret",
  CRYPTOHOPPER_REDIRECT_URI: "https://demo.example/auth/cryptohopper/callback",
}
const FUSE = {
  CRYPTOFUSE_CLIENT_ID: "fuse-id",
  CRYPTOFUSE_CLIENT_SECRET: "fuse-secret",
  CRYPTOFUSE_BASE_URL: "https://api.cryptofuse.io/",
}

const problemsOf = (env: Record<string, string>): ReadonlyArray<{ variable: string; message: string }> => {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigProblems) return err.problems
    throw err
  }
  throw new Error("expected the configuration to be refused")
}

describe("loadConfig", () => {
  it("runs both providers on the sandbox when no provider variable is set", () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: "127.0.0.1",
      sessionSecret: undefined,
      cryptohopper: { kind: "sandbox" },
      cryptofuse: { kind: "sandbox" },
    })
  })

  it("reads both real providers, keeping the secrets redacted", () => {
    const config = loadConfig({ ...HOPPER, ...FUSE, SESSION_SECRET: SECRET, PORT: "8080", HOST: "0.0.0.0" })
    expect(config.port).toBe(8080)
    expect(config.host).toBe("0.0.0.0")
    expect(config.cryptohopper).toMatchObject({
      kind: "real",
      clientId: "hopper-id",
      redirectUri: HOPPER.CRYPTOHOPPER_REDIRECT_URI,
    })
    expect(config.cryptofuse).toMatchObject({
      kind: "real",
      clientId: "fuse-id",
      baseUrl: "https://api.cryptofuse.io",
    })
    if (config.cryptohopper.kind !== "real" || config.cryptofuse.kind !== "real")
      throw new Error("expected real providers")
    expect(Redacted.value(config.cryptohopper.clientSecret)).toBe("hopper-secret")
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 5 })} ${String(config.sessionSecret)}`
    for (const secret of ["hopper-secret", "fuse-secret", SECRET]) expect(printed).not.toContain(secret)
  })

  it("lets one provider be real while the other stays on the sandbox", () => {
    const config = loadConfig({ ...FUSE, SESSION_SECRET: SECRET })
    expect(config.cryptohopper).toEqual({ kind: "sandbox" })
    expect(config.cryptofuse.kind).toBe("real")
  })

  it("names every missing or empty variable of a partial set, and asks for a session secret", () => {
    expect(
      problemsOf({ CRYPTOHOPPER_CLIENT_ID: "id", CRYPTOHOPPER_CLIENT_SECRET: "" }).map((p) => p.variable),
    ).toEqual(["CRYPTOHOPPER_CLIENT_SECRET", "CRYPTOHOPPER_REDIRECT_URI", "SESSION_SECRET"])
  })

  it("refuses redirect URIs that are not this app's https callback", () => {
    const uri = (value: string) =>
      problemsOf({ ...HOPPER, CRYPTOHOPPER_REDIRECT_URI: value, SESSION_SECRET: SECRET }).map(
        (p) => p.message,
      )
    expect(uri("demo.example/callback")).toEqual(["is not a valid absolute URL"])
    expect(uri("http://demo.example/auth/cryptohopper/callback")).toEqual([
      "must use https (plain http is only accepted for localhost)",
    ])
    expect(uri("https://demo.example/callback")[0]).toMatch(/must point at this app's callback/)
    expect(uri("https://demo.example/auth/cryptohopper/callback?next=/")).toEqual([
      "must not have a query or a fragment",
    ])
    expect(uri("ftp://demo.example/auth/cryptohopper/callback")).toEqual(["must be an http(s) URL"])
    expect(
      loadConfig({
        ...HOPPER,
        CRYPTOHOPPER_REDIRECT_URI: "http://localhost:3000/auth/cryptohopper/callback",
        SESSION_SECRET: SECRET,
      }).cryptohopper.kind,
    ).toBe("real")
  })

  it("refuses a Cryptofuse base URL with credentials or without https", () => {
    const base = (value: string) =>
      problemsOf({ ...FUSE, CRYPTOFUSE_BASE_URL: value, SESSION_SECRET: SECRET })
    expect(base("https://user:pass@api.cryptofuse.io")).toEqual([
      { variable: "CRYPTOFUSE_BASE_URL", message: "must not contain credentials" },
    ])
    expect(base("http://api.cryptofuse.io")[0]!.variable).toBe("CRYPTOFUSE_BASE_URL")
  })

  it("refuses a bad PORT, a bad HOST and a short SESSION_SECRET, all at once", () => {
    expect(
      problemsOf({ PORT: "65536", HOST: "a host", SESSION_SECRET: "short" }).map((p) => p.variable),
    ).toEqual(["PORT", "HOST", "SESSION_SECRET"])
    expect(problemsOf({ PORT: "-1" })[0]!.variable).toBe("PORT")
    expect(problemsOf({ PORT: "80.5" })[0]!.variable).toBe("PORT")
  })

  it("reports problems without the values that caused them", () => {
    const err = (() => {
      try {
        loadConfig({
          ...FUSE,
          CRYPTOFUSE_CLIENT_SECRET: "very-secret-value",
          CRYPTOFUSE_BASE_URL: "nope://x",
          SESSION_SECRET: "tiny-secret",
        })
      } catch (e) {
        return e as ConfigProblems
      }
      throw new Error("expected ConfigProblems")
    })()
    const report = err.report()
    expect(report).toContain("CRYPTOFUSE_BASE_URL: must be an http(s) URL")
    expect(report).toContain("Unset every CRYPTOHOPPER_* and CRYPTOFUSE_* variable")
    expect(report).toContain("SESSION_SECRET: is too short")
    for (const value of ["very-secret-value", "nope://x", "tiny-secret"])
      expect(report + err.message).not.toContain(value)
  })
})

describe("ConfigProblems.report", () => {
  it("leaves out the hint about provider variables when only PORT and SESSION_SECRET are wrong", () => {
    const report = new ConfigProblems([
      { variable: "PORT", message: "must be a whole number from 0 to 65535" },
      { variable: "SESSION_SECRET", message: "is too short" },
    ]).report()
    expect(report).toContain("PORT: must be a whole number")
    expect(report).not.toContain("CRYPTOHOPPER_*")
  })
})
