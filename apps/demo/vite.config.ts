import { fileURLToPath } from "node:url"
import { defineConfig } from "vite"

// The React page in web/, built into dist/web/ next to the server's dist/*.js; Nest serves
// dist/web/index.html at `/` and dist/web/assets/ at `/assets/`. No plugin: Vite 8's oxc
// compiles JSX (automatic runtime) on its own, and the page is never served by Vite's dev
// server, so Fast Refresh would buy nothing.
export default defineConfig({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  base: "/",
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    // A CSP without 'unsafe-inline': no asset may be inlined into index.html as code.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  logLevel: "warn",
})
