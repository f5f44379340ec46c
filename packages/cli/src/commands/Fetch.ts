/**
 * `grantflow fetch <provider> <path> [-X METHOD] [--data JSON]`: one API call through core's
 * `client.fetch` (the token attached the provider's way, renewed and retried once when refused,
 * never sent to another origin), the answer printed as JSON.
 */
import * as Client from "../Client.js"
import type { CommandContext } from "../CommandContext.js"
import { ExitCode } from "../ExitCode.js"
import { UsageError } from "../UsageError.js"

export const fetchCommand = async (ctx: CommandContext): Promise<number> => {
  const path = ctx.positionals[1]!
  const data = typeof ctx.flags["data"] === "string" ? ctx.flags["data"] : undefined
  if (data !== undefined) {
    try {
      JSON.parse(data)
    } catch {
      throw new UsageError("--data must be JSON")
    }
  }
  const method = (
    typeof ctx.flags["request"] === "string" ? ctx.flags["request"] : data === undefined ? "GET" : "POST"
  ).toUpperCase()
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`-X ${method} is not an HTTP method`)

  const opened = await Client.open(ctx)
  try {
    const response = await opened.client.fetch(path, {
      method,
      headers: {
        accept: "application/json",
        ...(data === undefined ? {} : { "content-type": "application/json" }),
      },
      body: data,
      ...(opened.provider.grant === "client_credentials"
        ? { scopes: opened.scopes }
        : { session: opened.session }),
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = text === "" ? null : JSON.parse(text)
    } catch {
      // Not JSON: printed as it came.
    }
    if (ctx.json) ctx.result({ status: response.status, body })
    else
      process.stdout.write(
        typeof body === "string"
          ? body.endsWith("\n")
            ? body
            : `${body}\n`
          : `${JSON.stringify(body, null, 2)}\n`,
      )
    if (!response.ok) {
      ctx.say(
        `grantflow fetch: ${ctx.provider!.name} answered HTTP ${response.status} ${response.statusText}`.trimEnd(),
      )
      return ExitCode.httpError
    }
    return ExitCode.ok
  } finally {
    await opened.client.dispose()
  }
}
