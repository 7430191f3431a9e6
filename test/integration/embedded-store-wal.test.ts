/**
 * The embedded store's WAL setting (src/store/pglite.ts, START_SETTINGS): new WAL segments are
 * created without being zero-filled, and a process killed after its writes went on into new
 * segments loses nothing it committed.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { openPglite } from "../../src/store/pglite.js";
import { freshDataDir } from "../helpers/store.js";

/** The built module, run by a child process that is then killed. */
const BUILT_PGLITE = new URL("../../dist/src/store/pglite.js", import.meta.url).href;
const BATCHES = 18;
/** Each row's body: 32 MD5s in hex, 1 KB that does not compress; 18,000 rows are more WAL than a 16 MB segment. */
const BODY = "(SELECT string_agg(md5(n::text || '-' || k), '') FROM generate_series(1, 32) k)";

/** Runs `script` (ESM) in a child Node; resolves with its stdout and how it ended. */
function run(script: string): Promise<{ out: string; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("exit", (_code, signal) => resolve({ out, signal, err }));
  });
}

describe("the embedded store's WAL", () => {
  it("starts with new WAL segments not zero-filled", async () => {
    const db = await openPglite({ dataDir: freshDataDir(), maintenance: false });
    try {
      expect(await db.query<{ wal_init_zero: string }>("SHOW wal_init_zero")).toEqual([{ wal_init_zero: "off" }]);
    } finally {
      await db.close();
    }
  });

  it("keeps every committed row of a process killed after its writes went on into new WAL segments", async () => {
    const dir = freshDataDir();
    const written = await run(`
      import { openPglite } from ${JSON.stringify(BUILT_PGLITE)};
      const db = await openPglite({ dataDir: ${JSON.stringify(dir)}, maintenance: false });
      const segment = async () => (await db.query("SELECT pg_walfile_name(pg_current_wal_insert_lsn()) AS f"))[0].f;
      const first = await segment();
      await db.query("CREATE TABLE wal_probe (n int PRIMARY KEY, body text NOT NULL)");
      for (let i = 0; i < ${BATCHES}; i++)
        await db.query("INSERT INTO wal_probe SELECT n, ${BODY} FROM generate_series($1::int * 1000 + 1, $1::int * 1000 + 1000) n", [i]);
      process.stdout.write(JSON.stringify({ first, last: await segment() }) + "\\n");
      process.kill(process.pid, "SIGKILL");
    `);
    expect(written.signal, written.err).toBe("SIGKILL");
    const { first, last } = JSON.parse(written.out) as { first: string; last: string };
    // The writes went past the segment they started in: at least one new one was made.
    expect(last > first).toBe(true);

    const db = await openPglite({ dataDir: dir, maintenance: false });
    try {
      const [kept] = await db.query<{ rows: number; intact: number }>(
        `SELECT count(*)::int AS rows, count(*) FILTER (WHERE body = ${BODY})::int AS intact FROM wal_probe`,
      );
      expect(kept).toEqual({ rows: BATCHES * 1000, intact: BATCHES * 1000 });
    } finally {
      await db.close();
    }
  }, 60_000);
});
