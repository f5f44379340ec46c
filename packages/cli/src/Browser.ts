/**
 * Opens a URL in the user's browser: `$BROWSER` when set, else `open` (macOS), `xdg-open`
 * (Linux, BSD) or `start` (Windows). Resolves false when nothing could be started; the caller has
 * printed the URL anyway.
 */
import { spawn } from "node:child_process"

const opener = (): { command: string; args: ReadonlyArray<string> } => {
  const browser = process.env["BROWSER"]
  if (browser !== undefined && browser.trim() !== "") {
    // A command with its arguments, split on spaces as most tools read $BROWSER.
    const [command, ...args] = browser.trim().split(/\s+/)
    return { command: command!, args }
  }
  if (process.platform === "darwin") return { command: "open", args: [] }
  if (process.platform === "win32") return { command: "cmd", args: ["/c", "start", '""'] }
  return { command: "xdg-open", args: [] }
}

/** Starts the browser on `url`, detached; false when the opener is missing or fails at once. */
export const open = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { command, args } = opener()
    // The URL is one argv entry, never shell text.
    const child = spawn(command, [...args, url], { stdio: "ignore", detached: true })
    child.once("error", () => resolve(false))
    child.once("spawn", () => {
      child.unref()
      resolve(true)
    })
  })
