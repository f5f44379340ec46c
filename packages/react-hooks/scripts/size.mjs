// Bundles minimal React apps that use useOAuthToken with esbuild (react and react-dom external,
// minified), gzips them and writes the sizes to size.json. Run after `pnpm build`: it measures
// dist, which is what users install.
import { build, version } from "esbuild"
import { existsSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const entry = join(root, "dist", "index.js")
if (!existsSync(entry)) {
  console.error("dist/index.js is missing: run `pnpm build` first")
  process.exit(1)
}

const app = (sourceSetup) => `
import { createRoot } from "react-dom/client"
import { OAuthProvider, useOAuthToken, backendSource, pkceSource } from "@grantflow/react-hooks"
function Account() {
  const { status, scopes, expiresAt, error, login, logout } = useOAuthToken()
  if (status === "error") return <p role="alert">{error.message}</p>
  if (status !== "authenticated") return <button onClick={login}>Connect</button>
  return <p>{scopes.join(", ")} until {String(expiresAt)} <button onClick={logout}>Disconnect</button></p>
}
${sourceSetup}
createRoot(document.getElementById("root")).render(<OAuthProvider source={source}><Account /></OAuthProvider>)
`

const apps = {
  backend: `const source = backendSource({ tokenUrl: "/auth/token", loginUrl: "/auth/login", logoutUrl: "/auth/logout" })`,
  pkce: `const source = pkceSource({ authorizationEndpoint: "https://auth.example.com/authorize", tokenEndpoint: "https://auth.example.com/token", clientId: "spa", redirectUri: location.origin + "/callback", scopes: ["read"] })`,
}

const measure = async (setup) => {
  const result = await build({
    stdin: { contents: app(setup), loader: "jsx", resolveDir: root, sourcefile: "app.jsx" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    alias: { "@grantflow/react-hooks": entry },
    external: ["react", "react-dom", "react/*", "react-dom/*"],
    write: false,
    logLevel: "silent",
  })
  const code = result.outputFiles[0].contents
  const kb = (n) => Math.round((n / 1024) * 100) / 100
  return { min_kb: kb(code.length), gzip_kb: kb(gzipSync(code, { level: 9 }).length) }
}

const backend = await measure(apps.backend)
const pkce = await measure(apps.pkce)
const report = {
  react_bundle_gzip_kb: backend.gzip_kb,
  apps: { backend, pkce },
  method: `esbuild ${version}, minified, gzip -9; react, react-dom and react/jsx-runtime external; one component using useOAuthToken`,
}
writeFileSync(join(root, "size.json"), JSON.stringify(report, null, 2) + "\n")
console.log(`useOAuthToken + backendSource: ${backend.gzip_kb} KB min+gz (${backend.min_kb} KB min)`)
console.log(`useOAuthToken + pkceSource:    ${pkce.gzip_kb} KB min+gz (${pkce.min_kb} KB min)`)
