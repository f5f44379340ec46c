import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every test spawns the built command (a Node start each) against a real server.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
