import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql ships ESM and CJS copies; loading both breaks instanceof checks ("another realm").
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
