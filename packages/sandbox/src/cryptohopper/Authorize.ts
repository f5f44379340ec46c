import type { ServerResponse } from "node:http"
import { mediaType, readBody } from "../http/Body.js"
import { Params } from "../http/Params.js"
import { redirect, sendHtml } from "../http/Reply.js"
import { isPkceValue, type PkceMethod } from "../Pkce.js"
import type { Exchange, SandboxContext } from "../SandboxContext.js"
import type { AuthorizationRequest } from "./AuthorizationRequest.js"
import { authorizeErrorPage, consentPage } from "./ConsentPage.js"
import { redirectMatches } from "../ClientRegistry.js"

/** Path of the consent form's target, under the sandbox root. */
export const DECISION_PATH = "/cryptohopper/oauth2/authorize/decision"

/** Cryptohopper's documented callback error messages. */
export const CallbackMessages = {
  emptyAppKey: "App key cannot be empty.",
  invalidAppKey: "App key is invalid.",
  denied: "User did not give permission to the app.",
} as const

/** Sends the user back to the app with Cryptohopper's `error=1` and a human message. */
const redirectWithError = (
  res: ServerResponse,
  ctx: SandboxContext,
  redirectUri: string,
  message: string,
  state: string | undefined,
) => {
  const target = new URL(redirectUri)
  target.searchParams.set("error", "1")
  target.searchParams.set(ctx.options.callbackMessageParam, message)
  if (state !== undefined) target.searchParams.set("state", state)
  redirect(res, target.href)
}

const redirectWithCode = (res: ServerResponse, ctx: SandboxContext, request: AuthorizationRequest) => {
  const code = ctx.codes.issue(
    {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      scopes: request.scopes,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
    },
    ctx.options.codeTtlSeconds,
  )
  const target = new URL(request.redirectUri)
  target.searchParams.set("code", code.value)
  if (request.state !== undefined) target.searchParams.set("state", request.state)
  redirect(res, target.href)
}

const decide = (
  res: ServerResponse,
  ctx: SandboxContext,
  request: AuthorizationRequest,
  approved: boolean,
) => {
  if (approved) redirectWithCode(res, ctx, request)
  else redirectWithError(res, ctx, request.redirectUri, CallbackMessages.denied, request.state)
}

const isAbsoluteUrl = (value: string): boolean => URL.canParse(value)

/**
 * `GET /oauth2/authorize`. Errors go back to the app as `error=1` + message, but only to a
 * redirect URI that is registered: anything else gets a 400 page, so the sandbox is never an
 * open redirector.
 */
export const authorize = ({ req, res, url, ctx }: Exchange): void => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendHtml(res, 405, authorizeErrorPage("The authorize endpoint accepts GET only."), { allow: "GET, HEAD" })
    return
  }
  const params = Params.fromSearchParams(url.searchParams)
  const state = url.searchParams.get("state") ?? undefined
  const clientId = params.get("client_id")
  const redirectParam = params.get("redirect_uri")

  if (clientId === undefined || ctx.clients.find("cryptohopper", clientId) === undefined) {
    const message = clientId === undefined ? CallbackMessages.emptyAppKey : CallbackMessages.invalidAppKey
    // Without a known client the redirect URI cannot be checked against it; one that some
    // registered client owns is still safe to send the error to.
    if (redirectParam !== undefined && ctx.clients.isRegisteredRedirect("cryptohopper", redirectParam)) {
      redirectWithError(res, ctx, redirectParam, message, state)
    } else {
      sendHtml(res, 400, authorizeErrorPage(message))
    }
    return
  }
  const client = ctx.clients.find("cryptohopper", clientId)!

  if (redirectParam !== undefined && !redirectMatches(client, redirectParam)) {
    sendHtml(res, 400, authorizeErrorPage("The redirect URI is not registered for this app."))
    return
  }
  const redirectUri = redirectParam ?? client.redirectUris[0]
  if (redirectUri === undefined || !isAbsoluteUrl(redirectUri)) {
    sendHtml(res, 400, authorizeErrorPage("This app has no usable redirect URI."))
    return
  }
  const fail = (message: string) => redirectWithError(res, ctx, redirectUri, message, state)

  const duplicate = params.firstDuplicate()
  if (duplicate !== undefined) return fail(`The parameter ${duplicate} was sent more than once.`)
  if (params.get("response_type") !== "code") return fail("The response type is invalid.")

  // Cryptohopper separates scopes with commas; a space-separated list is one unknown scope.
  const scopeParam = params.get("scope")
  const scopes = scopeParam === undefined ? [] : [...new Set(scopeParam.split(","))]
  const unknown = scopes.find((s) => !client.scopes.includes(s))
  if (unknown !== undefined) return fail(`The scope ${JSON.stringify(unknown)} is invalid.`)

  const codeChallenge = params.get("code_challenge")
  const methodParam = params.get("code_challenge_method")
  let codeChallengeMethod: PkceMethod | undefined
  if (codeChallenge === undefined) {
    if (methodParam !== undefined) return fail("The code_challenge is missing.")
  } else {
    // RFC 7636 §4.3: plain is the default when no method is named.
    const method = methodParam ?? "plain"
    if (method !== "S256" && method !== "plain") return fail("The code_challenge_method is not supported.")
    if (!isPkceValue(codeChallenge)) return fail("The code_challenge is invalid.")
    codeChallengeMethod = method
  }

  const request: AuthorizationRequest = {
    client,
    redirectUri,
    redirectUriSent: redirectParam !== undefined,
    scopes,
    state,
    codeChallenge,
    codeChallengeMethod,
  }
  switch (ctx.consent) {
    case "approve":
      return decide(res, ctx, request, true)
    case "deny":
      return decide(res, ctx, request, false)
    case "page": {
      const id = ctx.consents.add(request)
      sendHtml(res, 200, consentPage(request, id, DECISION_PATH), {
        "cache-control": "no-store",
        "x-frame-options": "DENY",
        "content-security-policy": "frame-ancestors 'none'",
      })
    }
  }
}

/** `POST /oauth2/authorize/decision`: the consent page's Approve or Deny. */
export const authorizeDecision = async ({ req, res, ctx }: Exchange): Promise<void> => {
  if (req.method !== "POST") {
    sendHtml(res, 405, authorizeErrorPage("The decision endpoint accepts POST only."), { allow: "POST" })
    return
  }
  const body = await readBody(req)
  if (!body.ok) {
    if (body.reason === "too-large") sendHtml(res, 400, authorizeErrorPage("The request body is too large."))
    return
  }
  if (mediaType(req) !== "application/x-www-form-urlencoded") {
    sendHtml(res, 400, authorizeErrorPage("The decision must be posted as a form."))
    return
  }
  const form = Params.fromForm(body.bytes)
  const decision = form.get("decision")
  const id = form.get("request_id")
  if ((decision !== "approve" && decision !== "deny") || id === undefined) {
    sendHtml(res, 400, authorizeErrorPage("The decision form is incomplete."))
    return
  }
  const request = ctx.consents.take(id)
  if (!request) {
    sendHtml(
      res,
      400,
      authorizeErrorPage("This authorization request is unknown, already answered or expired."),
    )
    return
  }
  decide(res, ctx, request, decision === "approve")
}
