import { isOAuthError, toOAuthHttpError } from "@grantflow/nest"
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from "@nestjs/common"
import type { Request, Response } from "express"
import { flash } from "../http/session-ops.js"

/**
 * Errors of the page actions (form POSTs) go back to the home page as a message, with the same
 * wording `OAuthExceptionFilter` gives the JSON API: a person sees "Cryptofuse rejected this
 * application's credentials", not a JSON error body.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  readonly #logger = new Logger("PageErrorFilter")

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp()
    const req = http.getRequest<Request>()
    const res = http.getResponse<Response>()
    let text: string
    if (isOAuthError(exception)) {
      const { body, log } = toOAuthHttpError(exception)
      if (log) this.#logger[log.level](log.message)
      text = body.message
    } else if (exception instanceof HttpException) {
      const response = exception.getResponse()
      const message =
        typeof response === "object" && response !== null
          ? (response as { message?: unknown }).message
          : response
      text = Array.isArray(message) ? message.join("; ") : String(message ?? exception.message)
    } else {
      this.#logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      )
      text = "Something went wrong; the server log has the details."
    }
    flash(req, "error", text)
    const back = (req.path ?? "").startsWith("/cryptofuse") ? "/#cryptofuse" : "/#cryptohopper"
    res.redirect(303, back)
  }
}
