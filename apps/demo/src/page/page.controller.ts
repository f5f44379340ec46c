import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Controller, Get, Res } from "@nestjs/common"
import type { Response } from "express"
import { WEB_DIR } from "./web-build.js"

/**
 * `GET /`: the React page's `index.html` (its scripts and styles come from `/assets/`, served as
 * static files). Read on every request, so a rebuilt page shows up on reload; a missing build is
 * a 503 that says how to build it, not a bare 404.
 */
@Controller()
export class PageController {
  @Get()
  async index(@Res() res: Response): Promise<void> {
    let page: string
    try {
      page = await readFile(join(WEB_DIR, "index.html"), "utf8")
    } catch {
      res
        .status(503)
        .type("text/plain")
        .send(
          "The demo's page is not built: run `pnpm --filter @grantflow/demo build` (`pnpm demo` builds it too).\n",
        )
      return
    }
    res.type("html").send(page)
  }
}
