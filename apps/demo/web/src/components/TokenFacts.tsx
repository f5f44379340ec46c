import type { TokenView } from "../lib/api"
import { clock, duration } from "../lib/format"
import { useNow } from "../lib/useNow"

export interface TokenFactsProps {
  /** Which card the facts belong to; prefixes the element ids. */
  readonly idPrefix: string
  /** The masked access token, e.g. `ab12…`. */
  readonly maskedToken: string
  readonly tokenType: string
  readonly expiresAt: Date | null
  readonly scopes: ReadonlyArray<string>
  /** The server's history of this token (refresh count and times), when known. */
  readonly history: TokenView | null
  /** What replacing the token is called here: "Refreshed" (refresh token) or "Renewed" (new request). */
  readonly renewWord: string
  /** Shown once the countdown reaches zero. */
  readonly expiredText: string
  /**
   * The clock of the card around these facts, when the card shows the expiry too (a status pill):
   * one clock, so the pill and the countdown never disagree. Default: a clock of its own.
   */
  readonly now?: number | undefined
}

/** The token's facts: masked value, expiry countdown with a progress bar, scopes, refresh history. */
export function TokenFacts(props: TokenFactsProps) {
  const ownNow = useNow(500)
  const now = props.now ?? ownNow
  const { expiresAt, history } = props
  const remaining = expiresAt === null ? null : expiresAt.getTime() - now
  const issuedAt = history === null ? null : Date.parse(history.refreshedAt ?? history.obtainedAt)
  const lifetime = expiresAt === null || issuedAt === null ? null : expiresAt.getTime() - issuedAt
  const count = history?.refreshCount ?? 0
  const p = props.idPrefix

  return (
    <dl className="facts">
      <div className="fact fact-wide">
        <dt>Access token</dt>
        <dd className="token-line">
          <code className="masked-token" id={`${p}-masked-token`}>
            {props.maskedToken}
          </code>
          <span className="hint">{props.tokenType} · masked, the real token stays on the server</span>
        </dd>
      </div>
      <div className="fact fact-wide">
        <dt>Expires</dt>
        <dd>
          {expiresAt === null || remaining === null ? (
            <span className="hint">The provider did not say.</span>
          ) : (
            <>
              <div className="expiry-line">
                <span
                  className={remaining > 0 ? "countdown" : "countdown countdown-expired"}
                  id={`${p}-countdown`}
                >
                  {remaining > 0 ? `in ${duration(remaining)}` : props.expiredText}
                </span>
                <span className="hint">
                  at{" "}
                  <time id={`${p}-expires-at`} dateTime={expiresAt.toISOString()}>
                    {clock(expiresAt)}
                  </time>
                </span>
              </div>
              {lifetime === null || lifetime <= 0 ? null : (
                <progress
                  className="lifetime"
                  max={lifetime}
                  value={Math.max(0, Math.min(lifetime, remaining))}
                  aria-label="Token lifetime left"
                />
              )}
            </>
          )}
        </dd>
      </div>
      <div className="fact">
        <dt>Scopes</dt>
        <dd className="chips" id={`${p}-scopes`}>
          {props.scopes.length === 0 ? (
            <span className="hint">none reported</span>
          ) : (
            props.scopes.map((s) => (
              <span className="chip" key={s}>
                {s}
              </span>
            ))
          )}
        </dd>
      </div>
      <div className="fact">
        <dt>{props.renewWord}</dt>
        <dd>
          <span className="refresh-count" id={`${p}-refresh-count`}>
            {count}
          </span>{" "}
          {count === 1 ? "time" : "times"}
          {history?.refreshedAt ? (
            <span className="hint">
              {" "}
              · last at <time dateTime={history.refreshedAt}>{clock(history.refreshedAt)}</time>
            </span>
          ) : null}
        </dd>
      </div>
    </dl>
  )
}
