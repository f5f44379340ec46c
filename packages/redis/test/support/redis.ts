import { randomBytes } from "node:crypto"
import { createClient } from "redis"

/** A connected client on the test server, for looking at what the stores really wrote. */
export const rawClient = async (url: string, options: Parameters<typeof createClient>[0] = {}) => {
  const client = createClient({ url, ...options })
  client.on("error", () => {})
  await client.connect()
  return client
}

/** A key prefix no other test uses, so test files can share one server. */
export const uniquePrefix = (name: string) => `test:${name}:${randomBytes(4).toString("hex")}:`
