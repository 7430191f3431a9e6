/**
 * The simulators are an independent reading of the supplier documents (issue B.11): no
 * simulator source under src/sandbox/ may import from datasources/, or a simulator could never
 * disagree with the gateway. This reads every simulator source file's import specifiers, the
 * sandbox's own list and starter included: since issue 21 (item 3) the simulators are wired
 * from their own list (src/sandbox/simulators.ts), keyed by supplier name, not from the
 * datasources' descriptors.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SANDBOX = fileURLToPath(new URL("../../src/sandbox/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier of static imports, re-exports and dynamic imports. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/g)) found.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g)) found.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]);
  return found;
}

describe("simulator independence", () => {
  const files = sources(SANDBOX);

  it("finds the simulators' sources", () => {
    expect(files.length).toBeGreaterThan(5);
    expect(specifiers(readFileSync(join(SANDBOX, "alitrip/server.ts"), "utf8"))).toContain("./top-protocol.js");
  });

  it.each(files.map((f) => [f.slice(SANDBOX.length), f]))("%s imports nothing from datasources/", (_name, file) => {
    const bad = specifiers(readFileSync(file, "utf8")).filter((s) => /(^|\/)datasources(\/|$)/.test(s));
    expect(bad).toEqual([]);
  });

  it("the shared HTTP kit names no supplier", () => {
    const text = readFileSync(join(SANDBOX, "http-kit.ts"), "utf8");
    expect(text).not.toMatch(/\b(ATRIP|Alitrip|ALITRIP|CTT|atlas|TOP)\b/);
  });
});
