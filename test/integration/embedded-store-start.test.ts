/**
 * The embedded store's light start (issue 22): an empty DATA_DIR is filled from a prepared data
 * directory instead of running initdb, a DATA_DIR that holds data is never replaced, and a
 * DATA_DIR made with the old settings (PGlite's own, 128 MB of shared buffers; the test
 * template is made that way) opens with the new ones and keeps every record, event and
 * idempotency key.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { STORE } from "../../src/config/store.js";
import { createLogger } from "../../src/logger.js";
import { openConfiguredStore } from "../../src/startup/store.js";
import { openStore, wrap } from "../../src/store/index.js";
import { migrate } from "../../src/store/migrations.js";
import { openPglite } from "../../src/store/pglite.js";
import { seedDataDir } from "../../src/store/seed.js";
import { startFailureText } from "../../src/startup/failure.js";
import { PGLITE_DATADIR_TEMPLATE } from "../helpers/paths.js";

const SHARED_BUFFERS = STORE.rows.pgliteSharedBuffers.default;
const newDir = () => join(mkdtempSync(join(tmpdir(), "embedded-start-")), "nested", "data");

describe("the embedded store's start", () => {
  it("fills an empty DATA_DIR (parents included) from the prepared directory, without initdb", async () => {
    const dir = newDir();
    const started = performance.now();
    const db = await openPglite({ dataDir: dir, templateDir: PGLITE_DATADIR_TEMPLATE, sharedBuffers: SHARED_BUFFERS, maintenance: false });
    const ms = performance.now() - started;
    try {
      expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
      // The copy is migrated already: its tables are there before anyone migrates.
      expect(await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracked")).toEqual([{ n: 0 }]);
      expect(await db.query<{ shared_buffers: string }>("SHOW shared_buffers")).toEqual([{ shared_buffers: SHARED_BUFFERS }]);
      // initdb takes seconds here; a copy and an open well under that.
      expect(ms).toBeLessThan(4_000);
      expect(readdirSync(join(dir, "..")).filter((n) => n.includes("seeding"))).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("copies the prepared directory whole: every folder and file, with its size and mode", async () => {
    const dir = newDir();
    await seedDataDir(dir, PGLITE_DATADIR_TEMPLATE);
    const tree = (root: string) =>
      (readdirSync(root, { recursive: true }) as string[]).sort().map((path) => {
        const st = statSync(join(root, path));
        return [path, st.isDirectory() ? "dir" : st.size, st.mode];
      });
    const copied = tree(dir);
    // A second caller while a copy is under way waits for that copy instead of starting another.
    const other = newDir();
    expect(seedDataDir(other, PGLITE_DATADIR_TEMPLATE)).toBe(seedDataDir(other, PGLITE_DATADIR_TEMPLATE));
    await seedDataDir(other, PGLITE_DATADIR_TEMPLATE);
    expect(tree(other)).toEqual(copied);
    expect(copied.length).toBeGreaterThan(500);
    expect(copied).toEqual(tree(PGLITE_DATADIR_TEMPLATE));
    expect(statSync(dir).mode).toBe(statSync(PGLITE_DATADIR_TEMPLATE).mode);
  });

  it("an empty DATA_DIR that exists (a volume's mount point: never removed or replaced) is filled in place; a fill cut short is done again", async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    const before = statSync(dir).ino;
    await seedDataDir(dir, PGLITE_DATADIR_TEMPLATE);
    expect(statSync(dir).ino).toBe(before); // the same folder, filled
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
    expect(existsSync(join(dir, ".seeding"))).toBe(false);
    expect(readdirSync(join(dir, "..")).filter((n) => n.includes("seeding"))).toEqual([]);
    // A crash half-way leaves the mark beside what was copied: the next start fills it again.
    const cut = newDir();
    mkdirSync(join(cut, "base"), { recursive: true });
    writeFileSync(join(cut, ".seeding"), "");
    writeFileSync(join(cut, "base", "half-copied"), "x");
    const db = await openPglite({ dataDir: cut, templateDir: PGLITE_DATADIR_TEMPLATE, maintenance: false });
    try {
      expect(await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracked")).toEqual([{ n: 0 }]);
      expect(existsSync(join(cut, ".seeding"))).toBe(false);
      expect(existsSync(join(cut, "base", "half-copied"))).toBe(false);
    } finally {
      await db.close();
    }
  });

  it("a DATA_DIR holding files that are not a store is refused, naming it, and its files are left as they were", async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "notes.json"), "{}");
    await expect(seedDataDir(dir, PGLITE_DATADIR_TEMPLATE)).rejects.toThrow(
      `DATA_DIR ${dir} holds files that are not the gateway's store (notes.json): give it an empty or missing folder, or a store's`,
    );
    expect(readdirSync(dir)).toEqual(["notes.json"]);
    expect(startFailureText(await seedDataDir(dir, PGLITE_DATADIR_TEMPLATE).catch((e: unknown) => e))).not.toMatch(/\n\s+at /);
  });

  it("keeps every record, event and idempotency key of a DATA_DIR made with the old settings, and never replaces it", async () => {
    const dir = newDir();
    cpSync(PGLITE_DATADIR_TEMPLATE, dir, { recursive: true });
    // The old code path: PGlite's own settings.
    const old = await openPglite({ dataDir: dir, templateDir: false, maintenance: false });
    expect(await old.query<{ shared_buffers: string }>("SHOW shared_buffers")).toEqual([{ shared_buffers: "128MB" }]);
    await migrate(old);
    const before = wrap(old);
    const key = { kind: "void" as const, tenant: "acme", supplier: "ATRIP" as const, ref: "V-KEPT" };
    await before.tracked.insert({
      key,
      orderNo: "ATR-KEPT",
      status: "PENDING",
      isFinal: false,
      data: { status: "PENDING" },
      source: "SUBMIT",
      message: null,
      started: true,
      firstCheckInMs: 60_000,
    });
    expect(await before.idempotency.claim("acme", "submitVoid", "idem-1", "hash-1")).toBeNull();
    await before.idempotency.complete("acme", "submitVoid", "idem-1", { voidCode: "V-KEPT" });
    const events = await before.events.history(key);
    await old.close();

    // The new settings, through the gateway's own path (with its prepared directory at hand).
    const store = await openStore({ dataDir: dir, pgliteSharedBuffers: SHARED_BUFFERS });
    try {
      expect(await store.db.query<{ shared_buffers: string }>("SHOW shared_buffers")).toEqual([{ shared_buffers: SHARED_BUFFERS }]);
      expect((await store.tracked.get(key))?.orderNo).toBe("ATR-KEPT");
      expect(await store.events.history(key)).toEqual(events);
      expect(events).toHaveLength(1);
      expect(await store.idempotency.claim("acme", "submitVoid", "idem-1", "hash-1")).toMatchObject({
        state: "DONE",
        requestHash: "hash-1",
        response: { voidCode: "V-KEPT" },
      });
    } finally {
      await store.close();
    }
  });

  it("a store migrated by a newer build (a rollback): this build starts, and says so in one warning naming the versions it does not know", async () => {
    const dir = newDir();
    const lines: Array<Record<string, unknown>> = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const open = () => openConfiguredStore(loadConfig({ DATA_DIR: dir }), createLogger("info", out));
    const first = await open();
    // What a newer build's migration leaves: a version this build has never heard of.
    await first.db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from a newer build')");
    await first.close();
    expect(lines.filter((l) => l.level === 40)).toEqual([]);
    // A first start on an empty directory applies every migration, and says which.
    expect(lines.find((l) => l.msg === "store schema migrated")?.migrations).toContain(1);
    const again = await open();
    try {
      expect(await again.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracked")).toEqual([{ n: 0 }]);
      const warnings = lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ unknownMigrations: [999], msg: expect.stringMatching(/migrated by a newer build/) });
    } finally {
      await again.close();
    }
  });
});
