import type { ServerResponse } from "node:http"
import { sendJson } from "../http/Reply.js"

const DEFAULT_PAGE_SIZE = 10
const MAX_PAGE_SIZE = 100

const pageUrl = (url: URL, page: number): string => {
  const next = new URL(url)
  // DRF drops the page parameter for the first page.
  if (page === 1) next.searchParams.delete("page")
  else next.searchParams.set("page", String(page))
  return next.href
}

/**
 * Sends `items` as Django REST framework's PageNumberPagination does: `{count, next, previous,
 * results}`, `?page=N` (and `?page_size=N`), 404 "Invalid page." past the end.
 */
export const sendPage = (res: ServerResponse, url: URL, items: ReadonlyArray<unknown>): void => {
  const pageParam = url.searchParams.get("page") ?? "1"
  const sizeParam = url.searchParams.get("page_size")
  const page = /^[1-9][0-9]{0,8}$/.test(pageParam) ? Number(pageParam) : Number.NaN
  const parsedSize =
    sizeParam !== null && /^[1-9][0-9]{0,8}$/.test(sizeParam) ? Number(sizeParam) : DEFAULT_PAGE_SIZE
  const size = Math.min(parsedSize, MAX_PAGE_SIZE)
  const pages = Math.max(1, Math.ceil(items.length / size))
  if (Number.isNaN(page) && pageParam !== "last") return sendJson(res, 404, { detail: "Invalid page." })
  const current = pageParam === "last" ? pages : page
  if (current > pages) return sendJson(res, 404, { detail: "Invalid page." })
  sendJson(res, 200, {
    count: items.length,
    next: current < pages ? pageUrl(url, current + 1) : null,
    previous: current > 1 ? pageUrl(url, current - 1) : null,
    results: items.slice((current - 1) * size, current * size),
  })
}
