/**
 * Supplier knowledge stays in its datasource folder and simulator (issue 13, "done means"): the
 * shared code names no supplier; only the lists do: the names (src/vocabulary/suppliers.ts), the
 * descriptors (datasources/suppliers.ts) and the simulators (src/sandbox/simulators.ts). The same
 * search as the issue's `grep -rniE "atrip|alitrip|\bctt\b"` over the same paths.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const SHARED = [
  "src/config",
  "src/startup",
  "src/gateway.ts",
  "src/sandbox/index.ts",
  "src/sandbox/simulator.ts",
  "src/sandbox/simulators.ts",
  "src/vocabulary",
  "src/sandbox/http-kit.ts",
  "src/tracking",
  "src/store",
  "src/server",
  "resolvers",
];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

describe("shared code names no supplier", () => {
  it("only the wiring list matches atrip|alitrip|ctt", () => {
    const topLevel = readdirSync(join(ROOT, "datasources"))
      .filter((n) => n.endsWith(".ts"))
      .map((n) => `datasources/${n}`);
    const naming = [...SHARED, ...topLevel]
      .flatMap(files)
      .filter((f) => /atrip|alitrip|\bctt\b/i.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(naming.sort()).toEqual(["datasources/suppliers.ts", "src/sandbox/simulators.ts", "src/vocabulary/suppliers.ts"]);
  });
});
