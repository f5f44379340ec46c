import { escapeHtml, page } from "./http/Html.js"
import { sendHtml } from "./http/Reply.js"
import type { Exchange } from "./SandboxContext.js"

const ENDPOINTS: ReadonlyArray<readonly [string, string]> = [
  ["GET /cryptohopper/oauth2/authorize", "Cryptohopper authorization (consent page)"],
  ["POST /cryptohopper/oauth2/token", "Cryptohopper token endpoint (JSON or form)"],
  ["POST /cryptohopper/oauth2/revoke", "Token revocation (sandbox extension, RFC 7009)"],
  ["GET /cryptohopper/v1/user/get", "Cryptohopper API (header access-token)"],
  ["GET /cryptohopper/v1/hopper", "Cryptohopper API: hoppers"],
  ["GET /cryptohopper/v1/exchange/ticker?exchange=binance&pair=BTC/USDT", "Cryptohopper API: ticker"],
  ["POST /cryptohopper/v1/hopper/:id/order", "Cryptohopper API: place an order"],
  ["POST /cryptofuse/o/token/", "Cryptofuse token endpoint (client credentials, form only)"],
  ["POST /cryptofuse/o/revoke_token/", "Cryptofuse revocation"],
  ["POST /cryptofuse/o/introspect/", "Cryptofuse token introspection (RFC 7662)"],
  ["GET|POST /cryptofuse/payments/", "Cryptofuse API (Authorization: Bearer)"],
  ["GET /cryptofuse/rates/", "Cryptofuse API: rates"],
  ["GET /cryptofuse/currencies/", "Cryptofuse API: currencies"],
  ["GET /cryptofuse/withdrawals/", "Cryptofuse API: withdrawals"],
  ["GET /cryptofuse/webhooks", "Cryptofuse API: webhooks (write scope)"],
]

/** `GET /`: what this sandbox serves and which clients it knows (ids only, no secrets). */
export const indexPage = ({ req, res, ctx }: Exchange): void => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendHtml(res, 405, page("Method not allowed", "<h1>Method not allowed</h1>"), { allow: "GET, HEAD" })
    return
  }
  const rows = ENDPOINTS.map(
    ([endpoint, text]) =>
      `<tr><td><code>${escapeHtml(endpoint)}</code></td><td>${escapeHtml(text)}</td></tr>`,
  ).join("\n")
  const clients = ctx.clients
    .list()
    .map(
      (c) =>
        `<li>${escapeHtml(c.provider)}: <code>${escapeHtml(c.clientId)}</code> (scopes ${escapeHtml(c.scopes.join(", "))})</li>`,
    )
    .join("\n")
  sendHtml(
    res,
    200,
    page(
      "grantflow sandbox",
      `<h1>grantflow sandbox</h1>
<p>A local OAuth 2.0 server speaking Cryptohopper's and Cryptofuse's dialects, at <code>${escapeHtml(ctx.baseUrl())}</code>.</p>
<table>
${rows}
</table>
<h2>Clients</h2>
<ul>
${clients}
</ul>`,
    ),
  )
}
