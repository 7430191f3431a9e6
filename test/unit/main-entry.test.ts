/**
 * `node dist/src/main.js` picks what it runs (issue 22, ready time): the bundle the build makes
 * (dist/src/bundle/run.mjs) when it is current and tracing is off, otherwise the built modules
 * (dist/src/run.js). Run on a copy of the built main.js and its tracing switch, beside a run.js
 * and a bundle that only say which one ran. test/e2e/bundle.test.ts starts the real ones.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BUILT = fileURLToPath(new URL("../../dist/src/", import.meta.url));

function probe(): { root: string; run(env?: Record<string, string>): string } {
  const root = mkdtempSync(join(tmpdir(), "main-entry-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  mkdirSync(join(root, "src", "telemetry"), { recursive: true });
  mkdirSync(join(root, "src", "bundle"));
  copyFileSync(join(BUILT, "main.js"), join(root, "src", "main.js"));
  copyFileSync(join(BUILT, "telemetry", "switch.js"), join(root, "src", "telemetry", "switch.js"));
  writeFileSync(join(root, "src", "run.js"), 'console.log("modules");\n');
  writeFileSync(join(root, "src", "bundle", "run.mjs"), 'console.log("bundle");\n');
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(root, "src", "run.js"), past, past);
  return {
    root,
    run(env = {}) {
      const r = spawnSync(process.execPath, [join(root, "src", "main.js")], {
        env: { PATH: process.env.PATH ?? "", ...env },
        encoding: "utf8",
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return r.stdout.trim();
    },
  };
}

describe("the gateway's entry (dist/src/main.js)", () => {
  it("runs the bundle when it is at least as new as the built modules", () => {
    expect(probe().run()).toBe("bundle");
  });

  it("runs the built modules when tracing is asked for, since the instrumentations cannot patch a bundle", () => {
    const p = probe();
    expect(p.run({ OTEL_TRACES_EXPORTER: "otlp" })).toBe("modules");
    expect(p.run({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBe("modules");
    // Tracing switched off again: the bundle.
    expect(p.run({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SDK_DISABLED: "true" })).toBe("bundle");
    expect(p.run({ OTEL_TRACES_EXPORTER: "none" })).toBe("bundle");
  });

  it("runs the built modules when the bundle is older than them (tsc ran since the last full build) or absent", () => {
    const p = probe();
    const older = new Date(Date.now() - 120_000);
    utimesSync(join(p.root, "src", "bundle", "run.mjs"), older, older);
    expect(p.run()).toBe("modules");
    rmSync(join(p.root, "src", "bundle"), { recursive: true });
    expect(p.run()).toBe("modules");
  });
});
