// packages/react-hooks/README.md's first example, as a file the tests check: the README quotes it
// and the typecheck step of `pnpm test` compiles it. It runs in a browser, bundled by your app, next
// to a backend that serves /auth/token; the demo's page (apps/demo) uses the same hook and its tests
// drive it in Chromium.
import { createRoot } from "react-dom/client"
import { OAuthProvider, backendSource, useOAuthToken } from "@grantflow/react-hooks"

const source = backendSource({ tokenUrl: "/auth/token", loginUrl: "/auth/login", logoutUrl: "/auth/logout" })

function Account() {
  const { status, scopes, expiresAt, error, login, logout, getValidToken } = useOAuthToken()
  if (status === "loading") return <p>Loading…</p>
  if (status === "error") return <p role="alert">{error.message}</p>
  if (status === "idle") return <button onClick={login}>Connect</button>
  const callApi = async () =>
    fetch("/api/me", { headers: { authorization: `Bearer ${await getValidToken()}` } })
  return (
    <p>
      {scopes.join(", ")} until {expiresAt?.toLocaleTimeString()} <button onClick={callApi}>Call API</button>{" "}
      <button onClick={logout}>Disconnect</button>
    </p>
  )
}

createRoot(document.getElementById("root")!).render(
  <OAuthProvider source={source}>
    <Account />
  </OAuthProvider>,
)
