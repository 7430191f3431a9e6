/** The scheduler loop's logging (src/tracking/poller.ts): a failure repeated every tick is logged once, then its end. */
import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/logger.js";
import { Poller } from "../../src/tracking/poller.js";

function recordingLog() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, log: { error: at("error"), info: at("info"), warn: at("warn") } as unknown as Logger };
}

describe("Poller", () => {
  it("logs a failure that repeats on every run once, and then that runs succeed again with the count", async () => {
    const { lines, log } = recordingLog();
    let runs = 0;
    let done!: () => void;
    const recovered = new Promise<void>((resolve) => (done = resolve));
    const poller = new Poller(
      "test",
      async () => {
        runs += 1;
        if (runs <= 6) throw new Error(runs === 6 ? "another failure" : "store unreachable");
        done();
      },
      1,
      log,
    );
    poller.start();
    await recovered;
    await poller.dispose();
    expect(lines.map((l) => [l.level, l.msg, l.fields.failuresNotLogged ?? l.fields.failedRuns])).toEqual([
      ["error", "poller run failed", 0],
      // Another message is logged at once, with how many of the first were not.
      ["error", "poller run failed", 4],
      ["info", "poller runs succeed again", 6],
    ]);
  });
});
