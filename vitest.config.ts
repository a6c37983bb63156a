import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "out/**", "dist/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Gateway tests spawn real MCP servers; keep the 2-core machine from thrashing.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
