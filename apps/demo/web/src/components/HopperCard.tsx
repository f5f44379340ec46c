import { useOAuthToken } from "@grantflow/react-hooks"
import { useEffect, useState } from "react"
import { api, type ApiCall, type DemoStatus, type Flash, type LogoutResult, messageOf } from "../lib/api"
import { ApiResult } from "./ApiResult"
import { Notice } from "./Notice"
import { StatusPill } from "./StatusPill"
import { TokenFacts } from "./TokenFacts"

export const HOPPER_SCOPES = [
  { name: "read", what: "hoppers, tickers" },
  { name: "user", what: "your profile" },
  { name: "notifications", what: "alerts" },
  { name: "manage", what: "hopper settings" },
  { name: "trade", what: "place orders" },
] as const
export const HOPPER_DEFAULT_SCOPES: ReadonlyArray<string> = ["read", "user"]

/** The server's "Disconnected: the provider revoked…" under the title "Disconnected": "The provider revoked…". */
const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

const CALLS: ReadonlyArray<{ path: string; label: string; columns?: ReadonlyArray<string> }> = [
  { path: "/hopper", label: "Hoppers", columns: ["name", "exchange", "base_currency", "enabled"] },
  { path: "/user/get", label: "User" },
  { path: "/exchange/ticker?exchange=binance&pair=BTC/USDT", label: "BTC/USDT ticker" },
]

export interface HopperCardProps {
  readonly status: DemoStatus | null
  readonly reloadStatus: () => void
  /** The server's message after the login came back (connected, or the provider's refusal). */
  readonly flash: Flash | null
  readonly logoutResult: LogoutResult | null
  readonly onDismiss: () => void
  readonly scopes: ReadonlyArray<string>
  readonly onScopesChange: (scopes: ReadonlyArray<string>) => void
}

/** The Cryptohopper connection, read through `useOAuthToken()`: connect, token facts, API calls, disconnect. */
export function HopperCard(props: HopperCardProps) {
  const token = useOAuthToken()
  const { status: state, accessToken, expiresAt } = token
  const [call, setCall] = useState<ApiCall | null>(null)
  const [callError, setCallError] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const { reloadStatus } = props

  // The refresh count and times live on the server: read them again whenever the token changes
  // (this tab refreshed it, another tab did and shared it, or the person connected/disconnected).
  const version = `${state}|${accessToken ?? ""}|${expiresAt?.getTime() ?? ""}`
  useEffect(() => {
    reloadStatus()
  }, [version, reloadStatus])

  useEffect(() => {
    if (state !== "authenticated") {
      setCall(null)
      setCallError(null)
    }
  }, [state])

  const run = async (label: string, work: () => Promise<void>) => {
    setBusy(label)
    try {
      await work()
    } finally {
      setBusy(null)
    }
  }

  const callApi = (path: string) =>
    run(path, async () => {
      setCallError(null)
      try {
        // Refreshes through the store first when the token is due, so this tab (and the others)
        // learn about the new token; the server would otherwise refresh it on its own during the call.
        await token.getValidToken()
        const result = await api.hopperCall(path)
        setCall(result)
        if (result.tokenRefreshed) reloadStatus()
      } catch (err) {
        setCallError(messageOf(err))
      }
    })

  const history = props.status?.cryptohopper.token ?? null
  const mode = props.status?.modes.cryptohopper
  const pill =
    state === "authenticated" ? (
      <StatusPill tone="ok" id="hopper-status">
        Connected
      </StatusPill>
    ) : state === "loading" ? (
      <StatusPill tone="busy" id="hopper-status">
        Checking…
      </StatusPill>
    ) : state === "error" ? (
      <StatusPill tone="bad" id="hopper-status">
        Needs attention
      </StatusPill>
    ) : (
      <StatusPill tone="idle" id="hopper-status">
        Not connected
      </StatusPill>
    )

  const messages = (
    <>
      {props.flash === null ? null : (
        <Notice
          kind={props.flash.kind === "error" ? "error" : "success"}
          title={props.flash.kind === "error" ? "Cryptohopper did not connect" : "Connected"}
          onDismiss={props.onDismiss}
        >
          {props.flash.kind === "error"
            ? props.flash.text.replace(/^Cryptohopper did not connect: /, "")
            : props.flash.text}
        </Notice>
      )}
      {props.logoutResult === null || state === "authenticated" ? null : (
        <Notice
          kind={props.logoutResult.revoked ? "info" : "error"}
          title="Disconnected"
          onDismiss={props.onDismiss}
        >
          {sentence(props.logoutResult.message.replace(/^Disconnected[:.]?\s*/, ""))}
        </Notice>
      )}
    </>
  )

  return (
    <section
      className="card"
      id="cryptohopper"
      aria-labelledby="hopper-title"
      aria-busy={state === "loading"}
    >
      <header className="card-head">
        <span className="logo logo-hopper" aria-hidden="true">
          CH
        </span>
        <div className="card-title">
          <h2 id="hopper-title">Cryptohopper</h2>
          <p className="sub">Your account · authorization code + PKCE</p>
        </div>
        {pill}
      </header>

      {messages}

      {state === "loading" ? (
        <div className="skeleton">
          <p className="sr-only">Checking your Cryptohopper connection…</p>
          <span aria-hidden="true" />
          <span aria-hidden="true" />
          <span aria-hidden="true" />
        </div>
      ) : null}

      {token.status === "error" ? (
        <>
          <Notice kind="error" title="The token could not be loaded">
            {token.error.message}
          </Notice>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => void token.refresh()}>
              Try again
            </button>
            <button type="button" className="btn" onClick={() => void token.login()}>
              Connect again
            </button>
          </div>
        </>
      ) : null}

      {state === "idle" ? (
        <div className="connect">
          <p className="lead">
            Connect your account to see your hoppers and prices here. You approve it on Cryptohopper
            {mode === "sandbox" ? "'s (sandbox) consent page" : "'s consent page"}; this page never sees your
            password or the app's secret.
          </p>
          <fieldset className="scopes">
            <legend>Permissions to ask for</legend>
            <div className="scope-grid">
              {HOPPER_SCOPES.map((s) => (
                <label className="scope" key={s.name}>
                  <input
                    type="checkbox"
                    name="scope"
                    value={s.name}
                    checked={props.scopes.includes(s.name)}
                    onChange={(e) =>
                      props.onScopesChange(
                        e.target.checked
                          ? [...props.scopes, s.name]
                          : props.scopes.filter((x) => x !== s.name),
                      )
                    }
                  />
                  <span className="scope-name">{s.name}</span>
                  <span className="scope-what">{s.what}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <button
            type="button"
            className="btn btn-primary btn-wide"
            id="connect-cryptohopper"
            onClick={() => void run("connect", token.login)}
            disabled={busy === "connect" || props.scopes.length === 0}
            aria-describedby={props.scopes.length === 0 ? "hopper-no-scope" : undefined}
          >
            {busy === "connect" ? "Opening Cryptohopper…" : "Connect Cryptohopper"}
          </button>
          {props.scopes.length === 0 ? (
            <p className="hint" id="hopper-no-scope">
              Tick at least one permission to connect.
            </p>
          ) : null}
        </div>
      ) : null}

      {token.status === "authenticated" ? (
        <>
          <TokenFacts
            idPrefix="hopper"
            maskedToken={token.accessToken}
            tokenType={token.tokenType}
            expiresAt={token.expiresAt}
            scopes={token.scopes}
            history={history}
            renewWord="Refreshed"
            expiredText="due now, refreshing…"
          />
          <div className="actions">
            <button
              type="button"
              className="btn"
              onClick={() => void run("refresh", token.refresh)}
              disabled={busy !== null}
            >
              {busy === "refresh" ? "Refreshing…" : "Refresh now"}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => void run("logout", token.logout)}
              disabled={busy !== null}
            >
              {busy === "logout" ? "Disconnecting…" : "Disconnect"}
            </button>
          </div>

          <section className="explorer" aria-labelledby="hopper-api-title">
            <div className="explorer-head">
              <h3 id="hopper-api-title">Cryptohopper API</h3>
              <div className="segmented" role="group" aria-label="Cryptohopper API calls">
                {CALLS.map((c) => (
                  <button
                    type="button"
                    key={c.path}
                    className="seg"
                    aria-pressed={call?.path === c.path}
                    disabled={busy !== null}
                    onClick={() => void callApi(c.path)}
                  >
                    {c.label}
                  </button>
                ))}
              </div>
            </div>
            <div className="explorer-body" aria-live="polite">
              {callError !== null ? (
                <Notice kind="error">{callError}</Notice>
              ) : call !== null ? (
                <ApiResult
                  call={call}
                  renewWord="Refreshed"
                  columns={CALLS.find((c) => c.path === call.path)?.columns}
                />
              ) : (
                <p className="empty">
                  Pick a call: the server makes it with your token and shows the answer here.
                </p>
              )}
            </div>
          </section>
        </>
      ) : null}
    </section>
  )
}
