/**
 * `npm start` builds only when something changed (issue 22, item 4): scripts/build-if-stale.mjs
 * run in a throw-away project whose `build` script counts its runs; scripts/start.mjs, which
 * runs that check and then the built gateway in one process, on a copy of both scripts.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/build-if-stale.mjs", import.meta.url));
const START = fileURLToPath(new URL("../../scripts/start.mjs", import.meta.url));

/** Edits the probe project's one source, dated after any build made so far. */
function changeSource(root: string): void {
  const later = new Date(Date.now() + 5_000);
  writeFileSync(join(root, "src", "a.ts"), "export const a = 2;\n");
  utimesSync(join(root, "src", "a.ts"), later, later);
}

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

    changeSource(root);
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("sources changed since the last build");
    expect(builds()).toBe(2);
  });

  it("npm start's script builds a stale tree, then runs the built main in the same process with its arguments; a failed build runs nothing", () => {
    const root = mkdtempSync(join(tmpdir(), "start-"));
    mkdirSync(join(root, "scripts"));
    copyFileSync(SCRIPT, join(root, "scripts", "build-if-stale.mjs"));
    copyFileSync(START, join(root, "scripts", "start.mjs"));
    // The "build" writes a main that prints its pid and arguments, and counts its runs.
    const build =
      "node -e \"const fs=require('fs');fs.mkdirSync('dist/src',{recursive:true});fs.appendFileSync('builds','x');" +
      "fs.writeFileSync('dist/src/main.js','console.log(JSON.stringify({pid:process.pid,args:process.argv.slice(2)}))');" +
      "fs.writeFileSync('dist/.build-stamp','')\"";
    const writePackage = (script: string) =>
      writeFileSync(join(root, "package.json"), JSON.stringify({ name: "start-probe", private: true, scripts: { build: script } }));
    writePackage(build);
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\n");
    const run = () => spawnSync(process.execPath, [join(root, "scripts", "start.mjs"), "--help"], { cwd: root, encoding: "utf8" });
    const started = (out: string) => JSON.parse(out.trim().split("\n").pop() as string) as { pid: number; args: string[] };

    const r1 = run();
    expect(r1.status).toBe(0);
    expect(r1.stdout).toContain("no build yet: building");
    expect(started(r1.stdout).pid).toBe(r1.pid);
    expect(started(r1.stdout).args).toEqual(["--help"]);
    const r2 = run();
    expect(r2.status).toBe(0);
    expect(r2.stdout).not.toContain("building");
    expect(started(r2.stdout).pid).toBe(r2.pid);
    expect(readFileSync(join(root, "builds"), "utf8")).toBe("x");

    // A source changed and the build fails: its status, and the old main is not run.
    writePackage('node -e "process.exit(3)"');
    changeSource(root);
    const r3 = run();
    expect(r3.status).toBe(3);
    expect(r3.stdout).toContain("sources changed since the last build");
    expect(r3.stdout).not.toContain('"pid"');
  });
});
