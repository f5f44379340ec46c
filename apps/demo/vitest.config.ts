import { defineConfig } from "vitest/config"

// Nest reads constructor types from `design:paramtypes`; Vite 8's oxc transform emits that metadata
// for legacy decorators. (The demo also names every injected dependency with @Inject, so it does
// not depend on the metadata, but Nest's own decorators expect the legacy semantics.)
export default defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
