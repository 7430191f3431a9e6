/**
 * Builds the web example with the project's own dev tooling (vite):
 *   npx vite build examples/web   → examples/web/dist
 * then writes the release's operation manifest beside it:
 *   npx generate-persisted-query-manifest --config examples/web/persisted-query-manifest.config.json
 */
import { defineConfig } from "vite";

export default defineConfig({
  // Relative asset URLs: the page works from any path it is served under.
  base: "./",
  resolve: {
    // One copy of graphql in the bundle: @apollo/persisted-query-lists is CommonJS and would
    // pull in graphql's CommonJS build beside the ES one Apollo Client uses.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.mjs" }],
  },
  build: { outDir: "dist", emptyOutDir: true },
});
