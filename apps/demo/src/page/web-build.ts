/**
 * Where the React page lives once built: `vite build` writes `web/` to `dist/web/`. Found relative
 * to this module, which sits two levels below the app's root both as `src/page/*.ts` (tests run
 * the sources) and as `dist/page/*.js` (the built app).
 */
import { fileURLToPath } from "node:url"

/** The built page's directory (`index.html`, `assets/`). */
export const WEB_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url))

/** The URL prefix of the page's hashed scripts, styles and images (Vite's default `assets/`). */
export const ASSETS_PREFIX = "/assets/"
