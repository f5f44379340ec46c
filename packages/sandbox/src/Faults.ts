import type { IncomingMessage, ServerResponse } from "node:http"
import { page } from "./http/Html.js"
import { redirect, sendJson, sendRaw } from "./http/Reply.js"

/** The endpoint groups a fault can be aimed at. */
export type FaultTarget =
  | "cryptohopper.authorize"
  | "cryptohopper.token"
  | "cryptohopper.revoke"
  | "cryptohopper.api"
  | "cryptofuse.token"
  | "cryptofuse.revoke"
  | "cryptofuse.introspect"
  | "cryptofuse.api"

/** Every fault target, for validation and listings. */
export const FAULT_TARGETS: ReadonlyArray<FaultTarget> = [
  "cryptohopper.authorize",
  "cryptohopper.token",
  "cryptohopper.revoke",
  "cryptohopper.api",
  "cryptofuse.token",
  "cryptofuse.revoke",
  "cryptofuse.introspect",
  "cryptofuse.api",
]

/** A misbehaviour the sandbox can answer with instead of (or before) its normal response. */
export type Fault =
  /** This status; `body` is sent as JSON when it parses as JSON, else as text/plain. */
  | { readonly kind: "status"; readonly status: number; readonly body?: string }
  /**
   * 429 with `Retry-After: <seconds>`; the body is the provider's JSON, or `body` as sent by a
   * gateway in front of it (text/html when it starts with `<`, else text/plain).
   */
  | { readonly kind: "rate-limit"; readonly retryAfterSeconds: number; readonly body?: string }
  /** A text/html "IP blocked" bot-protection page; status 403 unless given (200 is the nastier case). */
  | { readonly kind: "html"; readonly status?: number }
  /** A 200 application/json body cut off mid-way (Content-Length matches what is sent). */
  | { readonly kind: "truncated-json" }
  /** Waits, then answers normally. */
  | { readonly kind: "delay"; readonly ms: number }
  /** Destroys the connection without answering. */
  | { readonly kind: "reset" }
  /** A redirect to `location` (absolute, or relative to the request), status 302 unless given. */
  | { readonly kind: "redirect"; readonly location: string; readonly status?: 301 | 302 | 303 | 307 | 308 }
  /** 200 whose JSON body is an error: `{error:"invalid_grant",...}`, or Cryptohopper's `{status,code,error:1,message}` on its API. */
  | { readonly kind: "error-in-200" }

/** Schedules faults for the next requests to a target. */
export interface SandboxFaults {
  /** The next `count` requests to `target` get `fault`, after any faults already queued for it. */
  next(target: FaultTarget, fault: Fault, count?: number): void
  /** Drops every queued fault. */
  clear(): void
  /** How many queued faults are left for a target (or for all). */
  pending(target?: FaultTarget): number
}

const validate = (target: FaultTarget, fault: Fault, count: number): void => {
  if (!FAULT_TARGETS.includes(target)) throw new TypeError(`Unknown fault target ${JSON.stringify(target)}`)
  if (!Number.isInteger(count) || count < 1) throw new TypeError("A fault count must be a positive integer")
  switch (fault?.kind) {
    case "status":
      if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
        throw new TypeError("A status fault needs a status between 200 and 599")
      }
      return
    case "rate-limit":
      if (!Number.isFinite(fault.retryAfterSeconds) || fault.retryAfterSeconds < 0) {
        throw new TypeError("A rate-limit fault needs retryAfterSeconds >= 0")
      }
      return
    case "delay":
      if (!Number.isFinite(fault.ms) || fault.ms < 0) throw new TypeError("A delay fault needs ms >= 0")
      return
    case "html":
      if (
        fault.status !== undefined &&
        (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599)
      ) {
        throw new TypeError("An html fault status must be between 200 and 599")
      }
      return
    case "redirect":
      if (typeof fault.location !== "string" || fault.location === "") {
        throw new TypeError("A redirect fault needs a location")
      }
      if (fault.status !== undefined && ![301, 302, 303, 307, 308].includes(fault.status)) {
        throw new TypeError("A redirect fault status must be 301, 302, 303, 307 or 308")
      }
      return
    case "truncated-json":
    case "reset":
    case "error-in-200":
      return
    default:
      throw new TypeError(
        `Unknown fault kind ${JSON.stringify((fault as { kind?: unknown } | undefined)?.kind)}`,
      )
  }
}

/** Per-target FIFO queues of faults. */
export class FaultQueue implements SandboxFaults {
  readonly #queues = new Map<FaultTarget, Array<{ fault: Fault; remaining: number }>>()

  next(target: FaultTarget, fault: Fault, count = 1): void {
    validate(target, fault, count)
    const queue = this.#queues.get(target) ?? []
    queue.push({ fault, remaining: count })
    this.#queues.set(target, queue)
  }

  clear(): void {
    this.#queues.clear()
  }

  pending(target?: FaultTarget): number {
    let total = 0
    for (const [t, queue] of this.#queues) {
      if (target === undefined || t === target) for (const entry of queue) total += entry.remaining
    }
    return total
  }

  /** Removes and returns the fault for the current request to `target`, if one is queued. */
  take(target: FaultTarget): Fault | undefined {
    const queue = this.#queues.get(target)
    const head = queue?.[0]
    if (!queue || !head) return undefined
    head.remaining--
    if (head.remaining <= 0) queue.shift()
    return head.fault
  }
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const defaultStatusBody = (target: FaultTarget, status: number): unknown => {
  const message = `Sandbox fault: HTTP ${status}`
  if (target === "cryptohopper.api") return { status, code: 0, error: 1, message }
  if (target === "cryptofuse.api") return { detail: message }
  return { error: status === 503 ? "temporarily_unavailable" : "server_error", error_description: message }
}

const rateLimitBody = (target: FaultTarget, seconds: number): unknown => {
  if (target === "cryptohopper.api")
    return { status: 429, code: 0, error: 1, message: "Rate limit exceeded." }
  // Django REST framework's throttling message.
  if (target === "cryptofuse.api")
    return { detail: `Request was throttled. Expected available in ${seconds} seconds.` }
  return { error: "rate_limited", error_description: "Too many requests." }
}

const blockedPage = page(
  "Attention Required! | Access denied",
  `<h1>Sorry, you have been blocked</h1>
<p>Your IP has been blocked by the website's bot protection. Ray ID: 0000sandbox</p>`,
)

const truncatedBody = (target: FaultTarget): string => {
  const full = target.endsWith(".api")
    ? JSON.stringify({ data: { id: 1, name: "truncated", items: [1, 2, 3, 4, 5] } })
    : JSON.stringify({ access_token: "0".repeat(40), token_type: "Bearer", expires_in: 3600, scope: "read" })
  return full.slice(0, Math.floor(full.length / 2))
}

/** Whether the request should go on to normal handling after the fault. */
export type FaultOutcome = "answered" | "continue"

/**
 * Answers `res` as `fault` demands. `sleep` is the sandbox's cancellable timer, so a delay
 * does not keep a stopped sandbox alive.
 */
export const applyFault = async (
  target: FaultTarget,
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  sleep: (ms: number) => Promise<boolean>,
): Promise<FaultOutcome> => {
  switch (fault.kind) {
    case "delay":
      return (await sleep(fault.ms)) ? "continue" : "answered"
    case "reset":
      // An RST rather than a FIN makes clients see ECONNRESET, as with a crashed upstream.
      if (typeof req.socket.resetAndDestroy === "function") req.socket.resetAndDestroy()
      else req.socket.destroy()
      return "answered"
    case "status": {
      if (fault.body === undefined) sendJson(res, fault.status, defaultStatusBody(target, fault.status))
      else
        sendRaw(
          res,
          fault.status,
          isJson(fault.body) ? "application/json" : "text/plain; charset=utf-8",
          fault.body,
        )
      return "answered"
    }
    case "rate-limit":
      if (fault.body !== undefined) {
        sendRaw(
          res,
          429,
          fault.body.trimStart().startsWith("<") ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
          fault.body,
          { "retry-after": String(fault.retryAfterSeconds) },
        )
        return "answered"
      }
      sendJson(res, 429, rateLimitBody(target, fault.retryAfterSeconds), {
        "retry-after": String(fault.retryAfterSeconds),
      })
      return "answered"
    case "html":
      sendRaw(res, fault.status ?? 403, "text/html; charset=UTF-8", blockedPage)
      return "answered"
    case "redirect":
      redirect(res, fault.location, fault.status ?? 302)
      return "answered"
    case "truncated-json":
      sendRaw(res, 200, "application/json", truncatedBody(target))
      return "answered"
    case "error-in-200":
      sendJson(
        res,
        200,
        target === "cryptohopper.api"
          ? { status: 401, code: 0, error: 1, message: "Invalid access token." }
          : { error: "invalid_grant", error_description: "Sandbox fault: an error inside a 200 response." },
      )
      return "answered"
  }
}
