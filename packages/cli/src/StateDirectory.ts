/**
 * Where the CLI keeps its state: `$XDG_STATE_HOME/grantflow/` (XDG Base Directory: only an
 * absolute `XDG_STATE_HOME` counts), else `~/.local/state/grantflow/`. Created, and tightened
 * when it exists, with mode 0700: tokens are in it.
 *
 * @example
 * ```ts
 * import { StateDirectory } from "@grantflow/cli"
 * const dir = StateDirectory.resolve(process.env) // "/home/me/.local/state/grantflow"
 * await StateDirectory.ensurePrivate(dir)
 * ```
 */
import { chmod, mkdir, stat } from "node:fs/promises"
import { homedir } from "node:os"
import { isAbsolute, join } from "node:path"

/** The state directory for an environment (`process.env`). */
export const resolve = (env: Readonly<Record<string, string | undefined>>): string => {
  const xdg = env["XDG_STATE_HOME"]
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env["HOME"] ?? homedir(), ".local", "state")
  return join(base, "grantflow")
}

/** Creates `dir` (and its parents) with mode 0700, or narrows an existing one to 0700. */
export const ensurePrivate = async (dir: string): Promise<void> => {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const info = await stat(dir)
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory`)
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700)
}
