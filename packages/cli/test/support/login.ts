/** A logged-in CLI user, set up the way a person does it: `grantflow login` and the consent page. */
import { AUTHORIZATION_URL, consent } from "./browser.js"
import type { Cli } from "./cli.js"

export const loginToCryptohopper = async (cli: Cli, args: ReadonlyArray<string> = []): Promise<void> => {
  const login = cli.start(["login", "cryptohopper", "--no-browser", ...args])
  const url = (await login.waitForStderr(AUTHORIZATION_URL))[1]!
  await consent(url, "approve")
  const outcome = await login.done
  if (outcome.code !== 0) throw new Error(`login failed (${outcome.code}): ${outcome.stderr}`)
}
