import { defineConfig } from "vitest/config"

// Nest reads constructor types from `design:paramtypes`. Vite 8 transforms TypeScript with oxc,
// which emits that metadata for legacy decorators; it would also pick both flags up from
// tsconfig.json, but spelling them out keeps tests working if the tsconfig lookup changes.
export default defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
