import { Controller, Get, Header } from "@nestjs/common"
import { SCRIPT, STYLESHEET } from "./assets.js"

/** The page's CSS and script. */
@Controller("assets")
export class AssetsController {
  @Get("demo.css")
  @Header("content-type", "text/css; charset=utf-8")
  @Header("cache-control", "public, max-age=300")
  css(): string {
    return STYLESHEET
  }

  @Get("demo.js")
  @Header("content-type", "text/javascript; charset=utf-8")
  @Header("cache-control", "public, max-age=300")
  js(): string {
    return SCRIPT
  }
}
