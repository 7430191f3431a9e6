/**
 * What stops a start after the configuration was read is one line on stderr and exit code 1
 * (src/run.ts), not a stack trace: here, the port taken. (DATA_DIR held by another gateway:
 * ./data-dir-lock.test.ts.)
 */
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFailureText } from "../../src/startup/failure.js";
import { startGatewayProcess } from "../helpers/process.js";
import { freshDataDir } from "../helpers/store.js";

const taken = createServer();
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe("start-up failures", () => {
  it("a port in use: 'Start-up failed: listen EADDRINUSE …', exit code 1, no stack trace, the store's lock released", async () => {
    const dataDir = freshDataDir();
    const failure = await startGatewayProcess({ PORT: String(port), DATA_DIR: dataDir }).then(
      async (gw) => {
        await gw.stop();
        return "started";
      },
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/exited with 1/);
    expect(failure).toMatch(new RegExp(`Start-up failed: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\\n`));
    expect(failure).not.toMatch(/\n\s+at /);
    expect(failure).not.toMatch(/check your implementation/);
    // The store was open when the port failed: it was closed again, so its lock is not left behind.
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(existsSync(`${dataDir}/PG_VERSION`)).toBe(true);
  });

  it("known causes are one line; anything else keeps its stack", () => {
    const known = Object.assign(new Error("EROFS: read-only file system, open '/data.lock'"), { code: "EROFS" });
    expect(startFailureText(known)).toBe("Start-up failed: EROFS: read-only file system, open '/data.lock'\n");
    for (const code of ["EPERM", "ENOSPC", "EACCES", "EADDRINUSE"])
      expect(startFailureText(Object.assign(new Error(code), { code }))).toBe(`Start-up failed: ${code}\n`);
    const unknown = new TypeError("x is not a function");
    expect(startFailureText(unknown)).toMatch(/^Start-up failed: x is not a function\nTypeError: x is not a function\n\s+at /);
  });
});
