import { describe, expect, it } from "vitest"
import { TokenRegistry } from "../src/TokenRegistry.js"

describe("TokenRegistry", () => {
  const issue = (
    registry: TokenRegistry,
    value: string,
    expiresAt: number | undefined,
    kind: "access" | "refresh" = "access",
  ) =>
    registry.issue({
      value,
      kind,
      provider: "cryptofuse",
      clientId: "c",
      scopes: ["read"],
      grantId: "g",
      expiresAt,
    })

  it("forgets revoked and long-expired tokens during a long run but keeps live ones", () => {
    let clock = 0
    const registry = new TokenRegistry(() => clock)
    const old = issue(registry, "old", 1000)
    const revoked = issue(registry, "revoked", undefined, "refresh")
    registry.revoke(revoked)
    const live = issue(registry, "live", 10 * 60 * 60 * 1000)
    clock = 2 * 60 * 60 * 1000
    expect(registry.check(old.value, "access", "cryptofuse").status).toBe("expired")
    for (let i = 0; i < 10_000; i++) issue(registry, `t${i}`, clock + 60_000)
    expect(registry.check(old.value, "access", "cryptofuse").status).toBe("unknown")
    expect(registry.check(revoked.value, "refresh", "cryptofuse").status).toBe("unknown")
    expect(registry.check(live.value, "access", "cryptofuse").status).toBe("valid")
    expect(registry.size).toBe(10_001)
  })

  it("tells a token of one provider or kind from another", () => {
    const registry = new TokenRegistry(() => 0)
    issue(registry, "a", 1000)
    expect(registry.check("a", "refresh", "cryptofuse").status).toBe("unknown")
    expect(registry.check("a", "access", "cryptohopper").status).toBe("unknown")
    expect(registry.check("a", "access", "cryptofuse").status).toBe("valid")
  })
})
