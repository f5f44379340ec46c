import { Controller, Get, Inject, Req } from "@nestjs/common"
import type { Request } from "express"
import { type DemoStatus, DemoStatusService } from "../connections/demo-status.service.js"

/** `GET /api/status`: both connections at a glance (masked tokens), what the home page shows. */
@Controller("api/status")
export class StatusController {
  constructor(@Inject(DemoStatusService) private readonly status: DemoStatusService) {}

  @Get()
  get(@Req() req: Request): DemoStatus {
    return this.status.of(req)
  }
}
