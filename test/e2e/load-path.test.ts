/**
 * Simulators stay out of the production load path (issue 21, item 3): the built gateway, run as
 * `npm start` runs it with every supplier configured, loads no module of src/sandbox/. A loader
 * hook records every module the process loads; the same hook on the default start (every
 * supplier a simulator) sees the simulators, so the recording itself is shown to work. The
 * gateway runs from its bundle: a file of the bundle counts as the modules in it (../helpers/bundle.ts).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUNDLE_DIR, withBundledModules } from "../helpers/bundle.js";
import { startGatewayProcess } from "../helpers/process.js";

const HOOK = fileURLToPath(new URL("../fixtures/load-path/register.mjs", import.meta.url));
const SANDBOX = fileURLToPath(new URL("../../dist/src/sandbox/", import.meta.url));
/** Nothing listens here: the gateway never calls a supplier in this test. */
const NOWHERE = "http://127.0.0.1:9/";

async function loadedModules(env: Record<string, string>): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "loads-")), "modules.txt");
  const gw = await startGatewayProcess({ ...env, LOADED_MODULES_FILE: file }, 30_000, ["--import", HOOK]);
  // One request, so request-time imports would be recorded too.
  const r = await fetch(gw.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer load-path-key-0123456789" },
    body: JSON.stringify({ query: "{ suppliers { supplier sandbox } }" }),
  });
  expect(r.status).toBe(200);
  await gw.stop();
  const files = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((u) => fileURLToPath(u));
  expect(files.some((f) => f.startsWith(BUNDLE_DIR))).toBe(true);
  return withBundledModules(files);
}

describe("the production load path", () => {
  it("with every supplier configured, no sandbox module is loaded", async () => {
    const loaded = await loadedModules({
      API_KEYS: JSON.stringify([{ key: "load-path-key-0123456789", tenant: "acme", scopes: ["read"] }]),
      ATRIP_BASE_URL: NOWHERE,
      ATRIP_CLIENT_ID: "id",
      ATRIP_CLIENT_SECRET: "secret",
      ALITRIP_URL: NOWHERE,
      ALITRIP_APP_KEY: "key",
      ALITRIP_APP_SECRET: "secret",
      ALITRIP_SESSION: "session",
      CTT_BASE_URL: NOWHERE,
      CTT_SIGN_KEY: "key",
    });
    expect(loaded.some((f) => f.endsWith(join("dist", "src", "gateway.js")))).toBe(true);
    expect(loaded.filter((f) => f.startsWith(SANDBOX))).toEqual([]);
  });

  it("on the default start, the simulators are loaded (the recording works)", async () => {
    const loaded = await loadedModules({
      API_KEYS: JSON.stringify([{ key: "load-path-key-0123456789", tenant: "acme", scopes: ["read"] }]),
    });
    const sims = loaded.filter((f) => f.startsWith(SANDBOX)).map((f) => f.slice(SANDBOX.length));
    expect(sims).toEqual(expect.arrayContaining(["atrip/server.js", "alitrip/server.js", "ctt/server.js"]));
  });
});
