/**
 * What stops a start after the configuration was read is one line on stderr and exit code 1
 * (src/run.ts), not a stack trace: here, the port taken. (DATA_DIR held by another gateway:
 * ./data-dir-lock.test.ts.)
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayProcess } from "../helpers/process.js";

const taken = createServer();
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe("start-up failures", () => {
  it("a port in use: 'Start-up failed: listen EADDRINUSE …', exit code 1, no stack trace", async () => {
    const failure = await startGatewayProcess({ PORT: String(port) }).then(
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
  });
});
