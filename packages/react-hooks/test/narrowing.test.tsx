/**
 * The README's early returns narrow the hook's state: after `loading`, `error` and `idle` are
 * handled, `accessToken` is a `string`. These are type assertions: the typecheck step of
 * `pnpm test` (tsc over test/) fails when they do not hold; vitest only runs them as no-ops.
 */
import { describe, expectTypeOf, it } from "vitest"
import type { OAuthTokenState } from "../src/index.js"

/** The README's component, reduced to what it reads from the state. */
const account = (state: OAuthTokenState) => {
  const { status, accessToken, expiresAt, error } = state
  if (status === "loading") return "Loading…"
  if (status === "error") return error.message
  if (status === "idle") return "Connect"
  const token: string = accessToken
  return `${token.length} ${expiresAt?.toISOString() ?? "no expiry"}`
}

describe("OAuthTokenState", () => {
  it("narrows accessToken to a string after the README's early returns for loading, error and idle", () => {
    expectTypeOf(account).returns.toEqualTypeOf<string>()
    expectTypeOf<Extract<OAuthTokenState, { status: "loading" }>["accessToken"]>().toEqualTypeOf<null>()
    expectTypeOf<Extract<OAuthTokenState, { status: "idle" }>["error"]>().toEqualTypeOf<null>()
    expectTypeOf<
      Extract<OAuthTokenState, { status: "authenticated" }>["accessToken"]
    >().toEqualTypeOf<string>()
  })
})
