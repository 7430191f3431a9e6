/** `npm start -- --help` and start-up refusals, as a user meets them. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VARIABLES } from "../../src/config/index.js";

const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 20_000 });

describe("command line", () => {
  it("--help prints every configuration variable with its default", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    for (const v of VARIABLES) expect(r.stdout).toContain(v.name);
    expect(r.stdout).toMatch(/SUPPLIER_TIMEOUT_MS\s+10000/);
  });

  it.each([
    [{ ALITRIP_SIGN_METHOD: "sha512" }, "ALITRIP_SIGN_METHOD"],
    [{ ATRIP_BASE_URL: "ftp://x" }, "ATRIP_BASE_URL"],
    [{ API_KEYS: "[{oops" }, "API_KEYS"],
    [{ ATRIP_BASE_URL: "https://atrip.example", ATRIP_CLIENT_ID: "id", ATRIP_CLIENT_SECRET: "s" }, "API_KEYS"],
  ])("a bad configuration %j stops start-up naming %s", (env, variable) => {
    const r = run([], env);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`Configuration error: ${variable}`);
  });
});
