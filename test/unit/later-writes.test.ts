/**
 * src/reliability/after-send.ts `LaterWrites`: a write the store refused is tried again until it
 * takes it, unless the store refuses it for what it holds; stopping gives up, saying so.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { LaterWrites, writeAfterSend } from "../../src/reliability/after-send.js";
import { eventually } from "../helpers/atrip.js";
import { pgliteStore } from "../helpers/store.js";

/** A logger at error level whose lines are kept. */
function capturedLog() {
  const lines: string[] = [];
  const log = createLogger("error", new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(String(chunk))) }));
  return { lines, log };
}

describe("LaterWrites", () => {
  it("tries again, backing off, until the write succeeds", async () => {
    const later = new LaterWrites(createLogger("silent"), { firstMs: 5, maxMs: 20 });
    const tries: number[] = [];
    later.add(
      async () => {
        tries.push(Date.now());
        if (tries.length < 4) throw new Error("store down");
      },
      "a write",
      {},
    );
    expect(later.pending).toBe(1);
    await eventually(() => later.pending === 0);
    expect(tries).toHaveLength(4);
    later.close();
  });

  it("with a time to give up: a write still failing by then is given up, logged, and never tried again", async () => {
    const { lines, log } = capturedLog();
    const later = new LaterWrites(log, { firstMs: 5, maxMs: 5 });
    let tries = 0;
    later.add(
      async () => {
        tries += 1;
        throw new Error("store down");
      },
      "idempotency key's answer not stored",
      { operation: "submitVoid" },
      40,
    );
    await eventually(() => later.pending === 0);
    const triedThen = tries;
    expect(triedThen).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(tries).toBe(triedThen);
    expect(lines.join("")).toMatch(/idempotency key's answer not stored: given up, the store failed for too long/);
    later.close();
  });

  it("a write the store refuses for what it holds (a real PGlite refusing U+0000) is given up after one more try, saying so", async () => {
    const store = await pgliteStore();
    try {
      const { lines, log } = capturedLog();
      const later = new LaterWrites(log, { firstMs: 5, maxMs: 5 });
      let tries = 0;
      const write = async () => {
        tries += 1;
        await store.db.query("SELECT $1::text", ["succ\u0000ess"]);
      };
      const first = await writeAfterSend(write, log, "void accepted by the supplier but not recorded", { voidCode: "V3" });
      expect(first.ok).toBe(false);
      expect(tries).toBe(1);
      later.add(write, "void accepted by the supplier but not recorded", { voidCode: "V3" });
      await eventually(() => later.pending === 0);
      await new Promise((r) => setTimeout(r, 30));
      expect(tries).toBe(2);
      expect(lines.join("")).toMatch(/"voidCode":"V3".*not recorded: given up, the store refuses it/);
      later.close();
    } finally {
      await store.close();
    }
  });

  it("stops trying when closed, and logs what it gave up", async () => {
    const { lines, log } = capturedLog();
    const later = new LaterWrites(log, { firstMs: 5, maxMs: 5 });
    let tries = 0;
    later.add(
      async () => {
        tries += 1;
        throw new Error("store down");
      },
      "void accepted but not recorded",
      { voidCode: "V1" },
    );
    await eventually(() => tries >= 2);
    later.close();
    const after = tries;
    await new Promise((r) => setTimeout(r, 30));
    expect(tries).toBe(after);
    expect(later.pending).toBe(0);
    expect(lines.join("")).toMatch(/"voidCode":"V1".*given up, the gateway is stopping/);
    later.add(async () => undefined, "another", { voidCode: "V2" });
    expect(later.pending).toBe(0);
  });

  it("a try under way when closed is left to end: logged as recorded if it succeeds, not as given up", async () => {
    const lines: string[] = [];
    const log = createLogger("warn", new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(String(chunk))) }));
    const later = new LaterWrites(log, { firstMs: 5, maxMs: 5 });
    let finish!: () => void;
    later.add(() => new Promise<void>((resolve) => (finish = resolve)), "void accepted but not recorded", { voidCode: "V3" });
    await eventually(() => finish !== undefined);
    later.close();
    expect(later.pending).toBe(1);
    finish();
    await eventually(() => later.pending === 0);
    expect(lines.join("")).toMatch(/"voidCode":"V3".*recorded now that the store takes writes again/);
    expect(lines.join("")).not.toMatch(/given up/);
  });
});
