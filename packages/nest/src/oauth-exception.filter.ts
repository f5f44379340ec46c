import { type ArgumentsHost, Catch, type ExceptionFilter, Logger, Optional } from "@nestjs/common"
import { HttpAdapterHost } from "@nestjs/core"
import {
  AuthorizationError,
  ConfigError,
  InvalidResponse,
  LoginRequired,
  OAuthServerError,
  StateMismatch,
  StoreError,
  TransportError,
  type OAuthError,
} from "@grantflow/core"
import { toOAuthHttpError } from "./oauth-http-error.js"

interface ExpressOrFastifyReply {
  status(code: number): { send(body: unknown): unknown }
  /** Express */
  setHeader?(name: string, value: string): unknown
  /** Fastify */
  header?(name: string, value: string): unknown
}

/**
 * Turns `@grantflow/core`'s tagged errors into HTTP answers with a JSON body
 * `{ statusCode, error: <_tag>, message }`: `AuthorizationError` and `LoginRequired` 401, `StateMismatch` 400,
 * `OAuthServerError` 502 (`invalid_grant` 401; a provider that rate limits or is unavailable 503 with its
 * `Retry-After`), `InvalidResponse` 502, `TransportError` 504,
 * `ConfigError` 500, `StoreError` 503. Messages never carry a secret or request data; details a
 * visitor should not see go to the Nest logger instead. Other exceptions pass through untouched.
 *
 * @example
 * ```ts
 * app.useGlobalFilters(new OAuthExceptionFilter())
 * // or, in a module: providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }]
 * ```
 */
@Catch(
  OAuthServerError,
  AuthorizationError,
  StateMismatch,
  LoginRequired,
  InvalidResponse,
  TransportError,
  ConfigError,
  StoreError,
)
export class OAuthExceptionFilter implements ExceptionFilter<OAuthError> {
  private readonly logger = new Logger("OAuthExceptionFilter")

  /** `adapterHost` is injected when registered as `APP_FILTER`; without it the reply is sent Express/Fastify style. */
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(exception: OAuthError, host: ArgumentsHost): void {
    // The mapping is HTTP's; other transports keep their own error handling.
    if (host.getType() !== "http") throw exception
    const { body, log, headers } = toOAuthHttpError(exception)
    if (log) this.logger[log.level](log.message)
    const response = host.switchToHttp().getResponse<ExpressOrFastifyReply>()
    const adapter = this.adapterHost?.httpAdapter
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (adapter) adapter.setHeader(response, name, value)
      else if (typeof response.setHeader === "function") response.setHeader(name, value)
      else response.header?.(name, value)
    }
    if (adapter) adapter.reply(response, body, body.statusCode)
    else response.status(body.statusCode).send(body)
  }
}
