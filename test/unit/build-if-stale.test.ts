/**
 * `npm start` builds only when something changed (issue 22, item 4): scripts/build-if-stale.mjs
 * run in a throw-away project whose `build` script counts its runs.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/build-if-stale.mjs", import.meta.url));

describe("build-if-stale", () => {
  it("builds without a build, skips an unchanged tree, builds again after a source changes", () => {
    const root = mkdtempSync(join(tmpdir(), "stale-"));
    const build =
      "node -e \"const fs=require('fs');fs.mkdirSync('dist',{recursive:true});fs.appendFileSync('builds','x');fs.writeFileSync('dist/.build-stamp','')\"";
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "stale-probe", private: true, scripts: { build } }));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\n");
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, "src", "a.ts"), past, past);
    utimesSync(join(root, "src"), past, past);
    utimesSync(join(root, "package.json"), past, past);
    const run = () => spawnSync(process.execPath, [SCRIPT], { cwd: root, encoding: "utf8" });
    const builds = () => readFileSync(join(root, "builds"), "utf8").length;

    expect(run().status).toBe(0);
    expect(builds()).toBe(1);
    expect(run().status).toBe(0);
    expect(builds()).toBe(1);

    const later = new Date(Date.now() + 5_000);
    writeFileSync(join(root, "src", "a.ts"), "export const a = 2;\n");
    utimesSync(join(root, "src", "a.ts"), later, later);
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("sources changed since the last build");
    expect(builds()).toBe(2);
  });
});
