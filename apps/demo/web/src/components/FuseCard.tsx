import { useState } from "react"
import { api, type ApiCall, type DemoStatus, messageOf } from "../lib/api"
import { useNow } from "../lib/useNow"
import { ApiResult } from "./ApiResult"
import { Notice } from "./Notice"
import { StatusPill } from "./StatusPill"
import { TokenFacts } from "./TokenFacts"

const PAYMENT_COLUMNS = ["description", "amount", "currency", "status"]

export interface FuseCardProps {
  readonly status: DemoStatus | null
  readonly reloadStatus: () => void
}

/**
 * The app's own Cryptofuse token (client credentials), held by the server and shared by every
 * visitor: there is no person to connect, so this card calls the demo's API directly rather
 * than through `useOAuthToken`.
 */
export function FuseCard({ status, reloadStatus }: FuseCardProps) {
  const [call, setCall] = useState<ApiCall | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  // One clock for the pill and the countdown (TokenFacts gets it), so they agree on "expired".
  const now = useNow(500)

  // From /api/status, read again after every action: the token is the app's, so another visitor
  // may have renewed it too.
  const token = status?.cryptofuse.token ?? null
  const expired = token?.expiresAt != null && Date.parse(token.expiresAt) <= now

  const run = async (label: string, work: () => Promise<void>) => {
    setBusy(label)
    setError(null)
    try {
      await work()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(null)
      reloadStatus()
    }
  }

  const getToken = (renew: boolean) =>
    run(renew ? "renew" : "token", async () => {
      await api.fuseToken(renew)
    })
  const callApi = (route: "payments" | "rates") =>
    run(route, async () => {
      setCall(await api.fuseCall(route))
    })

  return (
    <section className="card" id="cryptofuse" aria-labelledby="fuse-title">
      <header className="card-head">
        <span className="logo logo-fuse" aria-hidden="true">
          CF
        </span>
        <div className="card-title">
          <h2 id="fuse-title">Cryptofuse</h2>
          <p className="sub">The app's own account · client credentials</p>
        </div>
        {token === null ? (
          <StatusPill tone="idle" id="fuse-status">
            No token yet
          </StatusPill>
        ) : expired ? (
          <StatusPill tone="warn" id="fuse-status">
            Expired
          </StatusPill>
        ) : (
          <StatusPill tone="ok" id="fuse-status">
            Token ready
          </StatusPill>
        )}
      </header>

      {error === null ? null : (
        <Notice kind="error" title="Cryptofuse said no" onDismiss={() => setError(null)}>
          {error}
        </Notice>
      )}

      {token === null ? (
        <p className="lead">
          The server signs in as the application itself, with its client id and secret. One token serves every
          visitor; it is fetched on first use and replaced when it runs out (Cryptofuse has no refresh
          tokens).
        </p>
      ) : (
        <TokenFacts
          idPrefix="fuse"
          maskedToken={token.accessToken}
          tokenType={token.tokenType}
          expiresAt={token.expiresAt === null ? null : new Date(token.expiresAt)}
          scopes={token.scopes}
          history={token}
          renewWord="Renewed"
          expiredText="expired, the next call gets a new one"
          now={now}
        />
      )}

      <div className="actions">
        <button
          type="button"
          className={token === null ? "btn btn-primary" : "btn"}
          disabled={busy !== null}
          onClick={() => void getToken(token !== null)}
        >
          {busy === "token"
            ? "Getting a token…"
            : busy === "renew"
              ? "Requesting…"
              : token === null
                ? "Get token"
                : "Request a new token"}
        </button>
      </div>

      <section className="explorer" aria-labelledby="fuse-api-title">
        <div className="explorer-head">
          <h3 id="fuse-api-title">Cryptofuse API</h3>
          <div className="segmented" role="group" aria-label="Cryptofuse API calls">
            <button
              type="button"
              className="seg"
              aria-pressed={call?.path === "/payments/"}
              disabled={busy !== null}
              onClick={() => void callApi("payments")}
            >
              Payments
            </button>
            <button
              type="button"
              className="seg"
              aria-pressed={call?.path === "/rates/"}
              disabled={busy !== null}
              onClick={() => void callApi("rates")}
            >
              Rates
            </button>
          </div>
        </div>
        <div className="explorer-body" aria-live="polite">
          {call !== null ? (
            <ApiResult
              call={call}
              renewWord="Renewed"
              columns={call.path === "/payments/" ? PAYMENT_COLUMNS : undefined}
            />
          ) : (
            <p className="empty">
              List the payments or get today's rates; the server gets a token first if it has none.
            </p>
          )}
        </div>
      </section>
    </section>
  )
}
