import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { startSandbox, type Sandbox } from "../src/index.js"
import { HOPPER, authorize, authorizeParams, hopperTokenJson, pkcePair } from "./helpers.js"

const requestIdOf = (html: string): string => {
  const match = /name="request_id" value="([^"]+)"/.exec(html)
  if (!match) throw new Error("no request id on the consent page")
  return match[1]!
}

const postDecision = (sb: Sandbox, form: Record<string, string>) =>
  fetch(`${sb.url}/cryptohopper/oauth2/authorize/decision`, {
    method: "POST",
    body: new URLSearchParams(form),
    redirect: "manual",
  })

describe("Cryptohopper authorize endpoint", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({ consent: "approve" })
  })
  beforeEach(() => sb.setConsent("approve"))
  afterAll(() => sb.stop())

  it("redirects an approved request to the redirect URI with a code and the state", async () => {
    const { res, location } = await authorize(sb, authorizeParams())
    expect(res.status).toBe(302)
    expect(`${location!.origin}${location!.pathname}`).toBe(HOPPER.redirectUri)
    expect(location!.searchParams.get("code")).toMatch(/^[0-9a-f]{40}$/)
    expect(location!.searchParams.get("state")).toBe("state-123")
  })

  it("issues a different code for every authorization", async () => {
    const a = await authorize(sb, authorizeParams())
    const b = await authorize(sb, authorizeParams())
    expect(a.location!.searchParams.get("code")).not.toBe(b.location!.searchParams.get("code"))
  })

  it("uses the client's first registered redirect URI when the request names none", async () => {
    const { redirect_uri: _, ...params } = authorizeParams()
    const { location } = await authorize(sb, params)
    expect(location!.href.startsWith(`${HOPPER.redirectUri}?`)).toBe(true)
    expect(location!.searchParams.get("code")).toBeTruthy()
  })

  it("accepts the client's second registered redirect URI", async () => {
    const uri = "http://localhost:3000/auth/cryptohopper/callback"
    const { location } = await authorize(sb, authorizeParams({ redirect_uri: uri }))
    expect(location!.href.startsWith(`${uri}?code=`)).toBe(true)
  })

  it("refuses an unregistered redirect URI with a 400 page and never redirects to it", async () => {
    const { res, location, text } = await authorize(
      sb,
      authorizeParams({ redirect_uri: "https://evil.example/callback" }),
    )
    expect(res.status).toBe(400)
    expect(location).toBeUndefined()
    expect(res.headers.get("content-type")).toContain("text/html")
    expect(text).toContain("not registered")
  })

  it("matches redirect URIs exactly (a trailing slash is a different URI)", async () => {
    const { res, location } = await authorize(sb, authorizeParams({ redirect_uri: `${HOPPER.redirectUri}/` }))
    expect(res.status).toBe(400)
    expect(location).toBeUndefined()
  })

  it("sends error=1 and 'App key cannot be empty.' when client_id is missing", async () => {
    const { client_id: _, ...params } = authorizeParams()
    const { res, location } = await authorize(sb, params)
    expect(res.status).toBe(302)
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.get("message")).toBe("App key cannot be empty.")
    expect(location!.searchParams.get("state")).toBe("state-123")
    expect(location!.searchParams.has("code")).toBe(false)
  })

  it("answers a 400 page for a missing client_id when there is no registered redirect URI to go back to", async () => {
    const { res, location, text } = await authorize(sb, {
      response_type: "code",
      redirect_uri: "https://evil.example/cb",
    })
    expect(res.status).toBe(400)
    expect(location).toBeUndefined()
    expect(text).toContain("App key cannot be empty.")
  })

  it("sends error=1 and 'App key is invalid.' for an unknown client", async () => {
    const { location } = await authorize(sb, authorizeParams({ client_id: "no-such-app" }))
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.get("message")).toBe("App key is invalid.")
  })

  it("answers a 400 page for an unknown client whose redirect URI nobody registered", async () => {
    const { res, location, text } = await authorize(
      sb,
      authorizeParams({ client_id: "no-such-app", redirect_uri: "https://evil.example/cb" }),
    )
    expect(res.status).toBe(400)
    expect(location).toBeUndefined()
    expect(text).toContain("App key is invalid.")
  })

  it("treats a Cryptofuse client id as unknown to Cryptohopper", async () => {
    const { location } = await authorize(sb, authorizeParams({ client_id: "fuse-client" }))
    expect(location!.searchParams.get("message")).toBe("App key is invalid.")
  })

  it("sends error=1 and 'User did not give permission to the app.' when consent is denied", async () => {
    sb.setConsent("deny")
    const { location } = await authorize(sb, authorizeParams())
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.get("message")).toBe("User did not give permission to the app.")
    expect(location!.searchParams.get("state")).toBe("state-123")
    expect(location!.searchParams.has("code")).toBe(false)
  })

  it("refuses a scope the client may not have", async () => {
    const { location } = await authorize(sb, authorizeParams({ scope: "read,admin" }))
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.get("message")).toContain("admin")
  })

  it("reads a space-separated scope list as one unknown scope, since Cryptohopper separates with commas", async () => {
    const { location } = await authorize(sb, authorizeParams({ scope: "read trade" }))
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.has("code")).toBe(false)
  })

  it("refuses a response_type other than code", async () => {
    const { location } = await authorize(sb, authorizeParams({ response_type: "token" }))
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.has("code")).toBe(false)
    expect(location!.searchParams.has("access_token")).toBe(false)
  })

  it("refuses an unknown code_challenge_method", async () => {
    const { challenge } = pkcePair()
    const { location } = await authorize(
      sb,
      authorizeParams({ code_challenge: challenge, code_challenge_method: "S512" }),
    )
    expect(location!.searchParams.get("error")).toBe("1")
    expect(location!.searchParams.get("message")).toContain("code_challenge_method")
  })

  it("refuses a code_challenge that is too short to be one", async () => {
    const { location } = await authorize(
      sb,
      authorizeParams({ code_challenge: "short", code_challenge_method: "S256" }),
    )
    expect(location!.searchParams.get("error")).toBe("1")
  })

  it("refuses a parameter sent twice", async () => {
    const url = new URL(sb.cryptohopper.authorizationEndpoint)
    for (const [k, v] of Object.entries(authorizeParams())) url.searchParams.set(k, v)
    url.searchParams.append("scope", "manage")
    const res = await fetch(url, { redirect: "manual" })
    const location = new URL(res.headers.get("location")!)
    expect(location.searchParams.get("error")).toBe("1")
    expect(location.searchParams.has("code")).toBe(false)
  })

  it("carries the message in error_description when configured to", async () => {
    const other = await startSandbox({ consent: "deny", callbackMessageParam: "error_description" })
    try {
      const { location } = await authorize(other, authorizeParams())
      expect(location!.searchParams.get("error")).toBe("1")
      expect(location!.searchParams.get("error_description")).toBe("User did not give permission to the app.")
      expect(location!.searchParams.has("message")).toBe(false)
    } finally {
      await other.stop()
    }
  })

  it("keeps a query string that is part of the registered redirect URI", async () => {
    const uri = "http://127.0.0.1:9999/cb?tenant=a"
    sb.addClient({
      provider: "cryptohopper",
      clientId: "query-app",
      clientSecret: "s",
      redirectUris: [uri],
      scopes: ["read"],
    })
    const { location } = await authorize(
      sb,
      authorizeParams({ client_id: "query-app", redirect_uri: uri, scope: "read" }),
    )
    expect(location!.searchParams.get("tenant")).toBe("a")
    expect(location!.searchParams.get("code")).toBeTruthy()
  })

  it("follows redirect URIs changed at runtime with updateClient", async () => {
    const uri = "http://127.0.0.1:45678/callback"
    sb.addClient({
      provider: "cryptohopper",
      clientId: "moving-app",
      clientSecret: "s",
      redirectUris: ["http://127.0.0.1/old"],
      scopes: ["read"],
    })
    expect(
      (await authorize(sb, authorizeParams({ client_id: "moving-app", redirect_uri: uri, scope: "read" })))
        .res.status,
    ).toBe(400)
    sb.updateClient("moving-app", { redirectUris: [uri] })
    const { location } = await authorize(
      sb,
      authorizeParams({ client_id: "moving-app", redirect_uri: uri, scope: "read" }),
    )
    expect(location!.href.startsWith(`${uri}?code=`)).toBe(true)
  })

  it("accepts any port on a registered loopback IP redirect URI, as RFC 8252 §7.3 asks of servers", async () => {
    const uri = "http://127.0.0.1:54321/callback"
    const { location } = await authorize(sb, authorizeParams({ redirect_uri: uri }))
    expect(location!.href.startsWith(`${uri}?code=`)).toBe(true)
    const other = await authorize(sb, authorizeParams({ redirect_uri: "http://127.0.0.1:54321/elsewhere" }))
    expect(other.res.status).toBe(400)
  })

  it("keeps localhost redirect URIs exact, ports included", async () => {
    const { res } = await authorize(
      sb,
      authorizeParams({ redirect_uri: "http://localhost:3001/auth/cryptohopper/callback" }),
    )
    expect(res.status).toBe(400)
  })

  it("answers 405 to a POST", async () => {
    const res = await fetch(sb.cryptohopper.authorizationEndpoint, { method: "POST" })
    expect(res.status).toBe(405)
  })

  describe("consent page", () => {
    beforeEach(() => sb.setConsent("page"))

    it("shows the app name and the requested scopes with Approve and Deny buttons", async () => {
      const { res, text } = await authorize(sb, authorizeParams({ scope: "read,trade" }))
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toContain("text/html")
      expect(text).toContain("Hopper App")
      expect(text).toContain("<code>read</code>")
      expect(text).toContain("<code>trade</code>")
      expect(text).toContain('value="approve"')
      expect(text).toContain('value="deny"')
      expect(text).toContain('action="/cryptohopper/oauth2/authorize/decision"')
    })

    it("declares an inline icon, so a browser does not ask the sandbox for /favicon.ico (a 404)", async () => {
      const { text } = await authorize(sb, authorizeParams())
      expect(text).toMatch(/<link rel="icon" href="data:[^"]*">/)
    })

    it("redirects with a code that can be exchanged after Approve", async () => {
      const { verifier, challenge } = pkcePair()
      const { text } = await authorize(
        sb,
        authorizeParams({ code_challenge: challenge, code_challenge_method: "S256" }),
      )
      const res = await postDecision(sb, { request_id: requestIdOf(text), decision: "approve" })
      expect(res.status).toBe(302)
      const location = new URL(res.headers.get("location")!)
      expect(location.searchParams.get("state")).toBe("state-123")
      const { res: tokenRes, json } = await hopperTokenJson(sb, {
        client_id: HOPPER.clientId,
        client_secret: HOPPER.clientSecret,
        grant_type: "authorization_code",
        redirect_uri: HOPPER.redirectUri,
        code: location.searchParams.get("code"),
        code_verifier: verifier,
      })
      expect(tokenRes.status).toBe(200)
      expect(json.scope).toBe("read,trade")
    })

    it("redirects with error=1 after Deny", async () => {
      const { text } = await authorize(sb, authorizeParams())
      const res = await postDecision(sb, { request_id: requestIdOf(text), decision: "deny" })
      const location = new URL(res.headers.get("location")!)
      expect(location.searchParams.get("error")).toBe("1")
      expect(location.searchParams.get("message")).toBe("User did not give permission to the app.")
    })

    it("accepts each decision only once", async () => {
      const { text } = await authorize(sb, authorizeParams())
      const id = requestIdOf(text)
      expect((await postDecision(sb, { request_id: id, decision: "approve" })).status).toBe(302)
      const again = await postDecision(sb, { request_id: id, decision: "approve" })
      expect(again.status).toBe(400)
      expect(again.headers.get("location")).toBeNull()
    })

    it("refuses a decision for an unknown request id", async () => {
      const res = await postDecision(sb, { request_id: "forged", decision: "approve" })
      expect(res.status).toBe(400)
      expect(res.headers.get("location")).toBeNull()
    })

    it("refuses a decision that is neither approve nor deny", async () => {
      const { text } = await authorize(sb, authorizeParams())
      const res = await postDecision(sb, { request_id: requestIdOf(text), decision: "maybe" })
      expect(res.status).toBe(400)
    })

    it("escapes the app name so a client cannot inject markup", async () => {
      sb.addClient({
        provider: "cryptohopper",
        clientId: "xss-app",
        name: "<script>alert(1)</script>",
        clientSecret: "s",
        redirectUris: [HOPPER.redirectUri],
        scopes: ["read"],
      })
      const { text } = await authorize(sb, authorizeParams({ client_id: "xss-app", scope: "read" }))
      expect(text).not.toContain("<script>alert(1)</script>")
      expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    })

    it("forbids framing the consent page", async () => {
      const { res } = await authorize(sb, authorizeParams())
      expect(res.headers.get("x-frame-options")).toBe("DENY")
    })

    it("still shows errors before the page: an unregistered redirect URI gets a 400", async () => {
      const { res } = await authorize(sb, authorizeParams({ redirect_uri: "https://evil.example/" }))
      expect(res.status).toBe(400)
    })
  })
})
