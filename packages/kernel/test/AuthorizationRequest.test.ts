import { describe, expect, it } from "vitest"
import { authorizationUrl } from "../src/AuthorizationRequest.js"

const parts = {
  endpoint: "https://auth.example/authorize?tenant=t1",
  clientId: "app",
  redirectUri: "https://app.example/cb",
  scopes: ["read", "write"],
  scopeDelimiter: " ",
  state: "s1",
  codeChallenge: "c1",
  codeChallengeMethod: "S256" as const,
}

describe("authorization request URL", () => {
  it("carries the code flow's parameters, keeps the endpoint's own query and joins scopes with the delimiter", () => {
    const url = new URL(authorizationUrl({ ...parts, scopeDelimiter: "," }))
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: "t1",
      response_type: "code",
      client_id: "app",
      redirect_uri: "https://app.example/cb",
      scope: "read,write",
      state: "s1",
      code_challenge: "c1",
      code_challenge_method: "S256",
    })
  })

  it("leaves out the scope when there is none and PKCE when there is no challenge", () => {
    const url = new URL(authorizationUrl({ ...parts, scopes: [], codeChallenge: undefined }))
    expect(url.searchParams.has("scope")).toBe(false)
    expect(url.searchParams.has("code_challenge")).toBe(false)
    expect(url.searchParams.has("code_challenge_method")).toBe(false)
  })

  it("adds extra parameters but never lets them replace the state, the challenge or the redirect URI", () => {
    const url = new URL(
      authorizationUrl({
        ...parts,
        extraParams: { prompt: "consent", state: "forged", redirect_uri: "https://evil/" },
      }),
    )
    expect(url.searchParams.get("prompt")).toBe("consent")
    expect(url.searchParams.getAll("state")).toEqual(["s1"])
    expect(url.searchParams.get("redirect_uri")).toBe("https://app.example/cb")
  })
})
