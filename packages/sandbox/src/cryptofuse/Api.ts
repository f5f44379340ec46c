import { mediaType, readBody } from "../http/Body.js"
import { page } from "../http/Html.js"
import { Params } from "../http/Params.js"
import { redirect, sendHtml, sendJson } from "../http/Reply.js"
import type { Exchange } from "../SandboxContext.js"
import type { IssuedToken } from "../TokenRegistry.js"
import { authenticateApiRequest, requireScope } from "./ApiAuthentication.js"
import { CURRENCIES, RATES } from "./CryptofuseData.js"
import { sendPage } from "./Pagination.js"

type ApiHandler = (exchange: Exchange, token: IssuedToken) => Promise<void> | void

interface Resource {
  readonly path: string
  /** Handler and required scope per method. */
  readonly methods: Readonly<Record<string, { readonly scope: string; readonly handle: ApiHandler }>>
}

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"]

const AMOUNT = /^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,8})?$/

const readPaymentInput = async ({ req, res }: Exchange): Promise<Record<string, unknown> | undefined> => {
  const body = await readBody(req)
  if (!body.ok) {
    if (body.reason === "too-large") sendJson(res, 413, { detail: "Request body too large." })
    return undefined
  }
  const type = mediaType(req)
  if (type === "application/json") {
    try {
      const parsed: unknown = JSON.parse(body.bytes.toString("utf8"))
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>
      sendJson(res, 400, { non_field_errors: ["Invalid data. Expected a dictionary, but got list."] })
    } catch {
      // DRF's ParseError text.
      sendJson(res, 400, { detail: "JSON parse error - Expecting value: line 1 column 1 (char 0)" })
    }
    return undefined
  }
  if (type === "application/x-www-form-urlencoded") {
    const form = Params.fromForm(body.bytes)
    return {
      amount: form.get("amount"),
      currency: form.get("currency"),
      description: form.get("description"),
    }
  }
  sendJson(res, 415, { detail: `Unsupported media type "${type}" in request.` })
  return undefined
}

const createPayment: ApiHandler = async (exchange) => {
  const input = await readPaymentInput(exchange)
  if (!input) return
  const errors: Record<string, Array<string>> = {}
  const amount = typeof input.amount === "number" ? String(input.amount) : input.amount
  if (amount === undefined || amount === null || amount === "") errors.amount = ["This field is required."]
  else if (typeof amount !== "string" || !AMOUNT.test(amount) || Number(amount) <= 0)
    errors.amount = ["A valid positive number is required."]
  const currency = input.currency
  if (currency === undefined || currency === null || currency === "")
    errors.currency = ["This field is required."]
  else if (typeof currency !== "string" || !CURRENCIES.some((c) => c.code === currency)) {
    errors.currency = [`"${String(currency)}" is not a valid choice.`]
  }
  const description = input.description ?? ""
  if (typeof description !== "string" || description.length > 255)
    errors.description = ["Ensure this field has no more than 255 characters."]
  if (Object.keys(errors).length > 0) return sendJson(exchange.res, 400, errors)
  const payment = exchange.ctx.cryptofuse.addPayment({
    amount: amount as string,
    currency: currency as string,
    description: description as string,
  })
  sendJson(exchange.res, 201, payment)
}

const RESOURCES: ReadonlyArray<Resource> = [
  {
    path: "/payments/",
    methods: {
      GET: { scope: "read", handle: ({ res, url, ctx }) => sendPage(res, url, ctx.cryptofuse.payments) },
      POST: { scope: "write", handle: createPayment },
    },
  },
  { path: "/rates/", methods: { GET: { scope: "read", handle: ({ res }) => sendJson(res, 200, RATES) } } },
  {
    path: "/currencies/",
    methods: { GET: { scope: "read", handle: ({ res }) => sendJson(res, 200, CURRENCIES) } },
  },
  {
    path: "/withdrawals/",
    methods: {
      GET: { scope: "read", handle: ({ res, url, ctx }) => sendPage(res, url, ctx.cryptofuse.withdrawals) },
    },
  },
  // Webhook configuration is a write-scope resource even to read, as Cryptofuse's scope table says.
  {
    path: "/webhooks",
    methods: {
      GET: { scope: "write", handle: ({ res, ctx }) => sendJson(res, 200, ctx.cryptofuse.webhooks) },
    },
  },
]

const notFoundPage = page(
  "Not Found",
  "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>",
)

/** The Cryptofuse API: Django REST framework views behind django-oauth-toolkit authentication. */
export const api = async (exchange: Exchange): Promise<void> => {
  const { req, res, url, path, ctx } = exchange
  const resource = RESOURCES.find((r) => r.path === path || (r.path === "/webhooks" && path === "/webhooks/"))
  if (!resource) {
    const slashed = RESOURCES.find((r) => r.path === `${path}/`)
    // Django's APPEND_SLASH redirects a path that only lacks its trailing slash.
    if (slashed) return redirect(res, `${url.pathname}/${url.search}`, 301)
    return sendHtml(res, 404, notFoundPage)
  }
  const token = authenticateApiRequest(ctx, req, res)
  if (!token) return
  const method = resource.methods[req.method ?? ""]
  // DRF checks permissions before it looks for a handler; TokenHasReadWriteScope wants write
  // for any unsafe method.
  const scope = method?.scope ?? (SAFE_METHODS.includes(req.method ?? "") ? "read" : "write")
  if (!requireScope(res, token, scope)) return
  if (!method) {
    return sendJson(
      res,
      405,
      { detail: `Method "${req.method}" not allowed.` },
      { allow: Object.keys(resource.methods).join(", ") },
    )
  }
  await method.handle(exchange, token)
}
