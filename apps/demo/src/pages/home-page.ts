/** The home page: both connections side by side, rendered on the server from plain data. */
import type { DemoStatus } from "../connections/demo-status.service.js"
import type { ApiCall } from "../connections/api-call.js"
import { FUSE_CALLS, HOPPER_CALLS, HOPPER_DEFAULT_SCOPES, HOPPER_SCOPES } from "../demo-runtime.js"
import type { Flash } from "../http/session-data.js"
import type { TokenView } from "../tokens/token-view.js"
import { type Html, html } from "./html.js"

/** Everything the home page shows. */
export interface HomeModel {
  readonly status: DemoStatus
  readonly hopperCall: ApiCall | undefined
  readonly fuseCall: ApiCall | undefined
  readonly flash: Flash | undefined
}

const time = (iso: string | null): Html =>
  iso === null ? html`—` : html`<time datetime="${iso}">${iso.slice(11, 19)} UTC</time>`

const chips = (scopes: ReadonlyArray<string>): Html =>
  scopes.length === 0
    ? html`<span class="hint">none reported</span>`
    : html`${scopes.map((s) => html`<span class="chip">${s}</span>`)}`

const tokenDetails = (token: TokenView, expiredText: string, renewedWord: string): Html =>
  html` <dl class="token">
    <dt>Access token</dt>
    <dd>
      <code class="masked-token">${token.accessToken}</code>
      <span class="hint">(${token.tokenType}, masked: the browser never gets the real one)</span>
    </dd>
    <dt>Scopes</dt>
    <dd class="scopes">${chips(token.scopes)}</dd>
    <dt>Expires</dt>
    <dd>
      ${
        token.expiresAt === null
          ? html`never said`
          : html`${time(token.expiresAt)}
              <span
                class="countdown"
                data-expires-at="${token.expiresAt}"
                data-expired-text="${expiredText}"
              ></span>`
      }
    </dd>
    <dt>Obtained</dt>
    <dd>${time(token.obtainedAt)}</dd>
    <dt>${renewedWord}</dt>
    <dd class="refreshes">
      <span class="refresh-count">${token.refreshCount}</span> ${
        token.refreshCount === 1 ? "time" : "times"
      }${token.refreshedAt === null ? "" : html`, last at <span class="refreshed-at">${time(token.refreshedAt)}</span>`}
    </dd>
  </dl>`

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/

/** A value as a table cell: long ids and timestamps shortened (the raw JSON below has them whole). */
const cell = (u: unknown): string => {
  if (u === null || u === undefined) return ""
  if (typeof u === "object") return JSON.stringify(u)
  const text = String(u)
  if (UUID.test(text)) return `${text.slice(0, 8)}…${text.slice(-4)}`
  const time = ISO_TIME.exec(text)
  return time === null ? text : `${time[1]} ${time[2]}`
}

const table = (rows: ReadonlyArray<Record<string, unknown>>): Html => {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 6)
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          ${columns.map((c) => html`<th>${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              ${columns.map((c) => html`<td>${cell(r[c])}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

const pairs = (record: Record<string, unknown>): Html =>
  html`<div class="table-wrap">
    <table>
      <tbody>
        ${Object.entries(record).map(
          ([k, v]) =>
            html`<tr>
              <th>${k}</th>
              <td>${cell(v)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`

/** The readable part of an API answer: Cryptohopper's `{ data }`, DRF pages, a rates map, a record. */
const dataView = (data: unknown, depth = 0): Html => {
  if (depth > 3) return html``
  if (Array.isArray(data)) {
    return data.length > 0 && data.every(isRecord)
      ? table(data)
      : html`<p class="hint">${data.length} items</p>`
  }
  if (!isRecord(data)) return html`<p>${cell(data)}</p>`
  if ("data" in data && Object.keys(data).length === 1) return dataView(data.data, depth + 1)
  if (Array.isArray(data.results)) {
    return html`<p class="hint">${cell(data.count ?? data.results.length)} in total, first page:</p>
      ${dataView(data.results, depth + 1)}`
  }
  if (isRecord(data.rates)) {
    return html`<p class="hint">Rates in ${cell(data.base)}</p>
      ${pairs(data.rates)}`
  }
  const values = Object.values(data)
  if (values.length === 1 && isRecord(values[0])) return dataView(values[0], depth + 1)
  return pairs(data)
}

const result = (call: ApiCall | undefined, renewedWord: string): Html => {
  if (call === undefined) return html``
  return html` <section class="result" aria-live="polite">
    <h3>
      GET <code>${call.path}</code>
      <span class="status ${call.ok ? "ok" : "bad"}">HTTP ${call.status}</span>
      <span class="hint">at ${time(call.calledAt)}</span>
      ${call.tokenRefreshed ? html`<span class="badge on token-refreshed">token ${renewedWord.toLowerCase()} for this call</span>` : ""}
    </h3>
    <div class="api-data">${dataView(call.data)}</div>
    <details>
      <summary>Raw JSON</summary>
      <pre>${JSON.stringify(call.data, null, 2)}</pre>
    </details>
  </section>`
}

const postButton = (action: string, label: string, fields: Record<string, string> = {}, cls = ""): Html =>
  html` <form class="inline" method="post" action="${action}">
    ${Object.entries(fields).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}<button type="submit" class="${cls}">${label}</button>
  </form>`

const modeBadge = (mode: string): Html =>
  html`<span class="badge mode">${mode === "sandbox" ? "sandbox" : "real provider"}</span>`

const hopperCard = (m: HomeModel): Html => {
  const { cryptohopper: hopper, modes } = m.status
  const skew = m.status.refreshSkewSeconds.cryptohopper
  const token = hopper.token
  const body =
    token === null
      ? html` <p>
            Not connected. Connecting sends you to Cryptohopper's consent
            page${modes.cryptohopper === "sandbox" ? " (the sandbox's)" : ""}; approve there and you come back
            here with a token. Deny, and you see Cryptohopper's answer.
          </p>
          <form method="get" action="/auth/cryptohopper">
            <fieldset>
              <legend>Scopes to ask for</legend>
              ${HOPPER_SCOPES.map(
                (s) =>
                  html`<label
                    ><input
                      type="checkbox"
                      name="scope"
                      value="${s}"
                      ${HOPPER_DEFAULT_SCOPES.includes(s) ? html` checked` : ""}
                    />
                    ${s}</label
                  >`,
              )}
            </fieldset>
            <button type="submit" class="primary" id="connect-cryptohopper">Connect Cryptohopper</button>
          </form>`
      : html` ${tokenDetails(token, "expired: the next call refreshes it", "Refreshed")}
          <p class="hint">
            grantflow refreshes the token with the refresh token
            ${skew > 0 ? `up to ${skew} s before it expires` : "once it has expired"}, on the next call. Call
            the API after the countdown to watch it happen.
          </p>
          <div class="actions">
            ${HOPPER_CALLS.map((c) => postButton("/cryptohopper/call", c.label, { path: c.path }))}
          </div>
          <div class="actions">
            ${postButton("/cryptohopper/refresh", "Refresh now")}
            ${postButton("/cryptohopper/disconnect", hopper.canRevoke ? "Disconnect (revoke)" : "Disconnect", {}, "danger")}
          </div>
          ${result(m.hopperCall, "Refreshed")}`
  return html` <section class="card" id="cryptohopper">
    <h2>
      Cryptohopper
      <span
        >${modeBadge(modes.cryptohopper)}
        <span class="badge connection-state ${token === null ? "" : "on"}"
          >${token === null ? "not connected" : "connected"}</span
        ></span
      >
    </h2>
    <p class="sub">
      Authorization code + PKCE through Passport's GrantflowStrategy; API calls with the
      <code>access-token</code> header.
    </p>
    ${body}
  </section>`
}

const fuseCard = (m: HomeModel): Html => {
  const { cryptofuse: fuse, modes } = m.status
  const token = fuse.token
  return html` <section class="card" id="cryptofuse">
    <h2>
      Cryptofuse
      <span
        >${modeBadge(modes.cryptofuse)}
        <span class="badge connection-state ${token === null ? "" : "on"}"
          >${token === null ? "no token yet" : "token cached"}</span
        ></span
      >
    </h2>
    <p class="sub">
      Client credentials: the app's own token, shared by every visitor, renewed with a new request when due
      (no refresh tokens).
    </p>
    ${
      token === null
        ? html`<p>No token yet. Get one, or call the API and grantflow gets one first.</p>`
        : tokenDetails(token, "expired: the next call gets a new one", "Renewed")
    }
    <div class="actions">
      ${postButton("/cryptofuse/token", token === null ? "Get token" : "Get cached token", {}, token === null ? "primary" : "")}
      ${token === null ? "" : postButton("/cryptofuse/token", "Request a new token", { renew: "1" })}
    </div>
    <div class="actions">
      ${FUSE_CALLS.map((c) => postButton("/cryptofuse/call", c.label, { path: c.path }))}
    </div>
    ${result(m.fuseCall, "Renewed")}
  </section>`
}

/** The whole home page. */
export const homePage = (m: HomeModel): string => {
  const { modes, sandboxUrl } = m.status
  const onSandbox = modes.cryptohopper === "sandbox" || modes.cryptofuse === "sandbox"
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>grantflow demo</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/demo.css" />
        <script src="/assets/demo.js" defer></script>
      </head>
      <body>
        <header>
          <div class="bar">
            <h1>grantflow demo</h1>
            <p>
              OAuth 2.0 with <code>@grantflow/core</code>, NestJS and
              Passport${
                onSandbox && sandboxUrl !== null
                  ? html` · sandbox at <a href="${sandboxUrl}/">${sandboxUrl}</a>`
                  : ""
              }
            </p>
          </div>
        </header>
        <main>
          ${m.flash === undefined ? "" : html`<div class="flash ${m.flash.kind}" role="${m.flash.kind === "error" ? "alert" : "status"}">${m.flash.text}</div>`}
          <div class="grid">${hopperCard(m)} ${fuseCard(m)}</div>
        </main>
        <footer>
          Tokens stay on the server (in grantflow's TokenStore); this page shows them masked. JSON for
          scripts: <a href="/api/status">/api/status</a>, <code>/api/cryptohopper/token</code>,
          <code>/api/cryptofuse/token</code>.
        </footer>
      </body>
    </html> `.value
}
