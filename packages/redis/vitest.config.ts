import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One real redis-server for the whole run; each test file works under its own key prefix.
    globalSetup: ["test/support/redisServer.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
