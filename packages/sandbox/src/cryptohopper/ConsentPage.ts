import { escapeHtml, page } from "../http/Html.js"
import type { AuthorizationRequest } from "./AuthorizationRequest.js"

const SCOPE_TEXT: Readonly<Record<string, string>> = {
  read: "Read your hoppers, positions and account data",
  notifications: "Read your notifications",
  manage: "Change your hoppers' configuration",
  trade: "Place and cancel orders for you",
  user: "Read your user profile",
}

/** The page a person sees to approve or deny a Cryptohopper app. */
export const consentPage = (
  request: AuthorizationRequest,
  requestId: string,
  decisionPath: string,
): string => {
  const name = request.client.name ?? request.client.clientId
  const scopes =
    request.scopes.length === 0
      ? "<li>No scopes: only basic access</li>"
      : request.scopes
          .map((s) => `<li><code>${escapeHtml(s)}</code> — ${escapeHtml(SCOPE_TEXT[s] ?? s)}</li>`)
          .join("\n")
  return page(
    `Authorize ${name} — Cryptohopper sandbox`,
    `<h1>Authorize <span id="app-name">${escapeHtml(name)}</span></h1>
<p>Signed in as <strong>sandbox-user</strong> (grantflow sandbox, not the real Cryptohopper).</p>
<p>This app asks for:</p>
<ul id="scopes">
${scopes}
</ul>
<p>After your decision you go back to <code>${escapeHtml(request.redirectUri)}</code>.</p>
<form method="post" action="${escapeHtml(decisionPath)}">
<input type="hidden" name="request_id" value="${escapeHtml(requestId)}">
<button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="deny" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  )
}

/** A 400 page for authorization requests that must not redirect anywhere. */
export const authorizeErrorPage = (message: string): string =>
  page(
    "Authorization error — Cryptohopper sandbox",
    `<h1>Authorization error</h1>\n<p id="error">${escapeHtml(message)}</p>`,
  )
