// @vitest-environment node
import { renderToString } from "react-dom/server"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { OAuthProvider, backendSource, pkceSource, useOAuthToken } from "../src/index.js"
import { startBackendServer, type BackendServer } from "./support/backendServer.js"

let server: BackendServer
beforeAll(async () => {
  server = await startBackendServer()
})
afterAll(async () => {
  await server.close()
})

function Status() {
  const { status, accessToken } = useOAuthToken()
  return (
    <p>
      status={status} token={String(accessToken)}
    </p>
  )
}

describe("server rendering", () => {
  test("renders a backend-sourced provider as idle without calling the backend", async () => {
    // Importing the package above already ran with no window, document or BroadcastChannel.
    expect(typeof window).toBe("undefined")
    const source = backendSource({
      tokenUrl: server.tokenUrl,
      loginUrl: server.loginUrl,
      logoutUrl: server.logoutUrl,
    })
    const html = renderToString(
      <OAuthProvider source={source}>
        <Status />
      </OAuthProvider>,
    )
    expect(html).toContain("status=<!-- -->idle")
    expect(html).toContain("token=<!-- -->null")
    await fetch(`${server.origin}/ping`)
    expect(server.counts.tokenGets).toBe(0)
  })

  test("renders a PKCE-sourced provider as idle", () => {
    const source = pkceSource({
      authorizationEndpoint: "https://auth.example.com/authorize",
      tokenEndpoint: "https://auth.example.com/token",
      clientId: "spa",
      redirectUri: "https://app.example.com/callback",
      scopes: ["read"],
    })
    const html = renderToString(
      <OAuthProvider source={source}>
        <Status />
      </OAuthProvider>,
    )
    expect(html).toContain("status=<!-- -->idle")
  })
})
