import { OAuthProvider } from "@grantflow/react-hooks"
import { useCallback, useEffect, useRef, useState } from "react"
import { api, type DemoStatus, type Flash, type LogoutResult } from "./lib/api"
import { hopperSource } from "./lib/hopper-source"
import { FuseCard } from "./components/FuseCard"
import { HOPPER_DEFAULT_SCOPES, HopperCard } from "./components/HopperCard"

/** The server's message is read once per page load (StrictMode runs effects twice; the request must not). */
let firstFlash: Promise<Flash | null> | undefined
const takeFirstFlash = (): Promise<Flash | null> =>
  (firstFlash ??= api.takeFlash().then(
    (r) => r.flash,
    () => null,
  ))

function Logo() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" />
      <circle cx="12.5" cy="16" r="5" />
      <path d="M17.5 16h8m-3 0v4m-3-4v3" />
    </svg>
  )
}

/** The demo page: both providers side by side. */
export function App() {
  const [status, setStatus] = useState<DemoStatus | null>(null)
  const [flash, setFlash] = useState<Flash | null>(null)
  const [logoutResult, setLogoutResult] = useState<LogoutResult | null>(null)
  const [scopes, setScopes] = useState<ReadonlyArray<string>>(HOPPER_DEFAULT_SCOPES)
  const scopesRef = useRef(scopes)
  scopesRef.current = scopes

  // Created once: OAuthProvider keeps the store of its first source for its whole life.
  const [source] = useState(() =>
    hopperSource({
      // Connect is disabled while no scope is ticked, so these are always the person's choice.
      scopes: () => scopesRef.current,
      onLogout: (result) => {
        setFlash(null)
        setLogoutResult(result)
      },
    }),
  )

  const reloadStatus = useCallback(() => {
    api.status().then(setStatus, () => undefined)
  }, [])

  useEffect(() => {
    let live = true
    void takeFirstFlash().then((f) => {
      if (live && f !== null) {
        setLogoutResult(null)
        setFlash(f)
      }
    })
    // The server sends a failed login back to `/#cryptohopper`: the message is shown, the hash is not needed.
    if (window.location.hash !== "") history.replaceState(null, "", window.location.pathname)
    return () => {
      live = false
    }
  }, [])

  const sandboxUrl = status?.sandboxUrl ?? null
  const modes = status?.modes
  const onSandbox =
    modes !== undefined && (modes.cryptohopper === "sandbox" || modes.cryptofuse === "sandbox")

  return (
    <OAuthProvider source={source}>
      <header className="topbar">
        <div className="topbar-inner">
          <a className="brand" href="/">
            <Logo />
            <span className="brand-name">grantflow</span>
            <span className="brand-tag">demo</span>
          </a>
          {modes === undefined ? null : onSandbox ? (
            <span className="env env-sandbox" title="Both providers run on grantflow's embedded sandbox">
              <span className="pill-dot" aria-hidden="true" />
              Sandbox
              {sandboxUrl === null ? null : (
                <a href={`${sandboxUrl}/`} className="env-link">
                  open
                </a>
              )}
            </span>
          ) : (
            <span className="env env-real">
              <span className="pill-dot" aria-hidden="true" />
              Live
            </span>
          )}
        </div>
      </header>

      <main className="page">
        <div className="intro">
          <h1>Your connected accounts</h1>
          <p>
            A NestJS backend holds the secrets and refresh tokens. This React page gets a masked access token
            through <code>useOAuthToken()</code> and keeps it fresh: refreshed before it expires, once for all
            your open tabs.
          </p>
        </div>
        <div className="grid">
          <HopperCard
            status={status}
            reloadStatus={reloadStatus}
            flash={flash}
            logoutResult={logoutResult}
            onDismiss={() => {
              setFlash(null)
              setLogoutResult(null)
            }}
            scopes={scopes}
            onScopesChange={setScopes}
          />
          <FuseCard status={status} reloadStatus={reloadStatus} />
        </div>
      </main>

      <footer className="footer">
        <p>
          Tokens never reach this page: the server keeps them in grantflow's TokenStore and makes the API
          calls. Built with <code>@grantflow/react-hooks</code>, <code>@grantflow/nest</code> and{" "}
          <code>@grantflow/passport-strategy</code>.
        </p>
      </footer>
    </OAuthProvider>
  )
}
