import swc from "unplugin-swc"
import { defineConfig } from "vitest/config"

export default defineConfig({
  // Nest's dependency injection reads constructor parameter types from decorator metadata,
  // which esbuild/oxc do not emit; SWC does.
  plugins: [swc.vite({ jsc: { transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
