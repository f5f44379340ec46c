import { defineConfig } from "vitest/config"

// Nest reads constructor types from `design:paramtypes`; Vite 8's oxc transform emits that metadata
// for legacy decorators. (The demo also names every injected dependency with @Inject, so it does
// not depend on the metadata, but Nest's own decorators expect the legacy semantics.)
export default defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ["test/**/*.test.ts"],
    // Above the 60 s bound a test waits for the demo process to start (test/support/process.ts).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
