import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Bounds, not expectations: installing the packed tarball with npm (effect alone unpacks to
    // 60 MB) took over 4 minutes at load average 25 on a 2-core machine running every package's tests.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
})
