import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Installing packed tarballs with npm and starting node processes takes seconds, not milliseconds.
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
})
