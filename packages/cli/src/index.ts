/**
 * @grantflow/cli: the `grantflow` command (see the README), and its file stores for programs that
 * want to share the command's sessions: a core TokenStore and RefreshLock on the local disk.
 */
export * as FileTokenStore from "./FileTokenStore.js"
export * as FileRefreshLock from "./FileRefreshLock.js"
export * as StateDirectory from "./StateDirectory.js"
export { ExitCode } from "./ExitCode.js"
