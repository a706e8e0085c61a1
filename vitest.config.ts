import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/globalSetup.ts"],
    reporters: ["default", "./test/setup/summaryReporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only thrash.
    maxWorkers: 2,
  },
});
