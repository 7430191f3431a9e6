/**
 * One process per embedded store (src/store/data-dir-lock.ts): a second gateway on the same
 * DATA_DIR is refused at start-up with a clear error (it used to run beside the first, and what it
 * recorded was lost); a lock its holder left behind (killed) is taken over; and a store whose
 * data directory goes away under it refuses its statements and fails /readyz instead of
 * confirming writes no restart would find.
 */
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirInUseError, holdDataDir } from "../../src/store/data-dir-lock.js";
import { openPglite } from "../../src/store/pglite.js";
import { eventually } from "../helpers/atrip.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { freshDataDir } from "../helpers/store.js";

const running: GatewayProcess[] = [];
afterEach(async () => {
  for (const gw of running.splice(0)) await gw.stop("SIGKILL");
});

/** A directory that looks like a data directory (PG_VERSION) without being one. */
function fakeDataDir(): string {
  const dir = freshDataDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "PG_VERSION"), "17\n");
  return dir;
}

describe("the embedded store's lock", () => {
  it("a second gateway on the same DATA_DIR is refused with a clear error; the first keeps serving", async () => {
    const dataDir = freshDataDir();
    const first = await startGatewayProcess({ DATA_DIR: dataDir });
    running.push(first);
    const second = await startGatewayProcess({ DATA_DIR: dataDir }).then(
      (gw) => {
        running.push(gw);
        return "started";
      },
      (err: Error) => err.message,
    );
    expect(second).toMatch(/exited with 1/);
    expect(second).toMatch(/Start-up failed: DATA_DIR .* is in use by pid \d+ on /);
    expect(second).not.toMatch(/\n\s+at /); // one line, no stack
    const r = await fetch(first.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
    });
    expect(r.status).toBe(200);
  });

  it("a lock left by a killed gateway is taken over at once on the same host", async () => {
    const dataDir = freshDataDir();
    const first = await startGatewayProcess({ DATA_DIR: dataDir });
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, "utf8"))).toMatchObject({ pid: first.child.pid, host: hostname() });
    await first.stop("SIGKILL");
    const second = await startGatewayProcess({ DATA_DIR: dataDir });
    running.push(second);
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, "utf8"))).toMatchObject({ pid: second.child.pid });
  });

  it("another host's lock: refused while it is refreshed, taken over once it is not (staleMs)", () => {
    const dataDir = fakeDataDir();
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 1, host: "elsewhere" }));
    expect(() => holdDataDir(dataDir, { staleMs: 60_000 })).toThrow(DataDirInUseError);
    expect(() => holdDataDir(dataDir, { staleMs: 60_000 })).toThrow(/in use by pid 1 on elsewhere .* delete .*\.lock/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${dataDir}.lock`, old, old);
    const hold = holdDataDir(dataDir, { staleMs: 60_000 });
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
    hold.release();
    expect(() => readFileSync(`${dataDir}.lock`)).toThrow(/ENOENT/);
  });

  it("a live process on this host keeps its lock however long since its refresh (stopped or hung, it would run on beside the new holder)", () => {
    const dataDir = fakeDataDir();
    const ns = readlinkSync("/proc/self/ns/pid");
    // This process's parent: alive, and not this process.
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), ns }));
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${dataDir}.lock`, old, old);
    expect(() => holdDataDir(dataDir, { staleMs: 60_000 })).toThrow(new RegExp(`in use by pid ${process.ppid} on `));
  });

  it("the lock inside the folder counts too (the folder seen elsewhere through a bind mount holds only that one): refused, nothing of ours left behind", () => {
    const dataDir = fakeDataDir();
    writeFileSync(join(dataDir, ".gateway.lock"), JSON.stringify({ pid: 1, host: "elsewhere" }));
    expect(() => holdDataDir(dataDir, { staleMs: 60_000 })).toThrow(/in use by pid 1 on elsewhere \(lock .*\/\.gateway\.lock/);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    rmSync(join(dataDir, ".gateway.lock"));
    // Held: both locks, beside the folder and inside it; both go with the hold.
    const hold = holdDataDir(dataDir);
    expect(JSON.parse(readFileSync(join(dataDir, ".gateway.lock"), "utf8"))).toMatchObject({ pid: process.pid });
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
    hold.release();
    expect([existsSync(`${dataDir}.lock`), existsSync(join(dataDir, ".gateway.lock"))]).toEqual([false, false]);
  });

  it("a pid of another pid namespace on the same host says nothing: a fresh lock from there is refused, a dead pid here is taken over", () => {
    const dataDir = fakeDataDir();
    // A container with the host's name (host networking) but its own pids: its pid 999999 is not ours to test.
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 999999, host: hostname(), ns: "pid:[1]" }));
    expect(() => holdDataDir(dataDir)).toThrow(DataDirInUseError);
    const ns = readlinkSync("/proc/self/ns/pid");
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 999999, host: hostname(), ns }));
    const hold = holdDataDir(dataDir);
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, "utf8"))).toEqual({ pid: process.pid, host: hostname(), ns });
    hold.release();
  });

  it("the folder given through a symbolic link to it is the same folder: one lock, beside the folder itself", () => {
    const dataDir = fakeDataDir();
    const link = `${dataDir}-link`;
    symlinkSync(dataDir, link);
    for (const given of [link, `${link}/`]) {
      const hold = holdDataDir(given, { refreshMs: 60_000 });
      try {
        expect(existsSync(`${dataDir}.lock`)).toBe(true);
        expect(existsSync(`${link}.lock`)).toBe(false);
      } finally {
        hold.release();
      }
    }
  });

  it("holds in one process are counted: the lock goes with the last", () => {
    const dataDir = fakeDataDir();
    const a = holdDataDir(dataDir);
    const b = holdDataDir(dataDir);
    a.release();
    a.release(); // twice is once
    expect(readFileSync(`${dataDir}.lock`, "utf8")).toContain(String(process.pid));
    b.release();
    expect(() => readFileSync(`${dataDir}.lock`)).toThrow(/ENOENT/);
  });

  it("its holder notices a lock taken over, and a data directory gone", async () => {
    const taken = fakeDataDir();
    const hold = holdDataDir(taken, { refreshMs: 20 });
    writeFileSync(`${taken}.lock`, JSON.stringify({ pid: 4242, host: "elsewhere" }));
    await eventually(() => hold.lost(), 2_000);
    expect(hold.lost()).toMatch(/taken over by pid 4242 on elsewhere/);
    hold.release();
    expect(readFileSync(`${taken}.lock`, "utf8")).toContain("4242"); // not ours to remove

    const gone = fakeDataDir();
    const kept = holdDataDir(gone, { refreshMs: 20 });
    rmSync(gone, { recursive: true });
    await eventually(() => kept.lost(), 2_000);
    expect(kept.lost()).toMatch(/data directory .* is gone/);
    kept.release();
  });

  it("a store whose data directory was deleted refuses statements (SERVICE_UNAVAILABLE), it does not confirm them", async () => {
    const dataDir = freshDataDir();
    const db = await openPglite({ dataDir, maintenance: false });
    try {
      await db.query("SELECT 1");
      rmSync(dataDir, { recursive: true, force: true });
      // The lock is refreshed every 5 s; it notices then.
      await eventually(
        async () =>
          db.ping().then(
            () => undefined,
            (err: Error) => err,
          ),
        15_000,
        200,
      );
      await expect(db.query("SELECT 1")).rejects.toMatchObject({
        name: "StoreUnavailableError",
        message: expect.stringMatching(/is gone/),
      });
    } finally {
      await db.close();
    }
  });
});
