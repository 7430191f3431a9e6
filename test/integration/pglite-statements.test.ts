/**
 * Statements on the embedded store run as prepared statements (src/store/pglite-statements.ts):
 * same rows and errors as PGlite's own `query`, each parameterised text parsed once, against a
 * real PGlite loaded from the migrated template.
 */
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../src/store/errors.js";
import { openPglite } from "../../src/store/pglite.js";
import { PreparedStatements } from "../../src/store/pglite-statements.js";
import { PGLITE_DUMP_TEMPLATE } from "../helpers/paths.js";

const template = () => new Blob([readFileSync(PGLITE_DUMP_TEMPLATE)]);

let db: PGlite;
let statements: PreparedStatements;

beforeAll(async () => {
  db = await PGlite.create({ loadDataDir: template() });
  statements = new PreparedStatements(db);
});
afterAll(async () => {
  if (!db.closed) await db.close();
});

/** How many prepared statements the session holds for this text. */
async function preparedCount(text: string): Promise<number> {
  const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1", [text]);
  return rows.rows[0].n;
}

describe("prepared statements on PGlite", () => {
  it("return the rows PGlite's own query returns, for every kind of value the stores pass and read", async () => {
    const text = `SELECT $1::text AS t, $2::int AS i, $3::bigint AS b, $4::numeric AS n, $5::jsonb AS j, $6::timestamptz AS ts,
      $7::boolean AS yes, $8::text[] AS arr, $9::text AS nothing, $10::float8 AS f, $11::jsonb AS list, $12::jsonb AS obj`;
    const params = [
      'quote " and \\ backslash',
      42,
      "9007199254740993",
      "12.50",
      JSON.stringify({ a: [1, "x"], b: null }),
      new Date("2026-12-03T10:00:00.123Z"),
      true,
      ["x", "y,z", '"q"', "{braces}", null],
      null,
      1.5,
      JSON.stringify([1, 2]),
      { amount: "12.50", nested: { ok: true } },
    ];
    const expected = (await db.query(text, params)).rows;
    expect(await statements.query(text, params)).toEqual(expected);
    // Prepared by the first run; the second only binds and executes.
    expect(await statements.query(text, params)).toEqual(expected);
    expect(expected[0]).toMatchObject({ i: 42, yes: true, arr: ["x", "y,z", '"q"', "{braces}", null], nothing: null });
  });

  it("prepare a parameterised text once; a text without parameters (DDL, migrations) is not kept", async () => {
    const text = "SELECT $1::int + 1 AS n";
    for (const n of [1, 2, 3]) expect(await statements.query(text, [n])).toEqual([{ n: n + 1 }]);
    expect(await preparedCount(text)).toBe(1);
    expect(await statements.query("SELECT 7 AS seven", [])).toEqual([{ seven: 7 }]);
    expect(await preparedCount("SELECT 7 AS seven")).toBe(0);
  });

  it("report PostgreSQL's error with its code and text, and the statement runs on afterwards", async () => {
    await statements.query("CREATE TABLE uniq (k text PRIMARY KEY)", []);
    const insert = "INSERT INTO uniq (k) VALUES ($1) RETURNING k";
    expect(await statements.query(insert, ["a"])).toEqual([{ k: "a" }]);
    await expect(statements.query(insert, ["a"])).rejects.toMatchObject({ code: "23505", query: insert, params: ["a"] });
    expect(await statements.query(insert, ["b"])).toEqual([{ k: "b" }]);

    // A text PostgreSQL cannot parse is never kept, and fails the same way each time.
    const broken = "SELEC $1::int";
    for (let i = 0; i < 2; i++) await expect(statements.query(broken, [1])).rejects.toMatchObject({ code: "42601" });
    expect(await preparedCount(broken)).toBe(0);
  });

  it("follow a table whose columns change under a prepared SELECT *: at once outside a transaction", async () => {
    await statements.query("CREATE TABLE shape (id int)", []);
    await statements.query("INSERT INTO shape VALUES ($1)", [1]);
    const text = "SELECT * FROM shape WHERE id = $1";
    expect(await statements.query(text, [1])).toEqual([{ id: 1 }]);
    await statements.query("ALTER TABLE shape ADD COLUMN label text DEFAULT 'new'", []);
    expect(await statements.query(text, [1])).toEqual([{ id: 1, label: "new" }]);
    expect(await preparedCount(text)).toBe(1);
  });

  it("keep running statements, unnamed, beyond the texts they keep prepared", async () => {
    for (let i = 0; i < 300; i++) expect(await statements.query(`SELECT $1::int + ${i} AS n`, [1])).toEqual([{ n: i + 1 }]);
    const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements")).rows;
    expect(n).toBeLessThanOrEqual(256);
    expect(n).toBeGreaterThan(200);
  });
});

describe("the embedded store's statements and transactions", () => {
  it("commit together, roll back together, and a stale prepared SELECT * fails only its own transaction", async () => {
    const store = await openPglite({ template: template(), maintenance: false });
    try {
      await store.query("CREATE TABLE items (k text PRIMARY KEY)");
      const insert = "INSERT INTO items (k) VALUES ($1)";
      const all = "SELECT * FROM items ORDER BY k";
      await store.tx(async (sql) => {
        await sql.query(insert, ["a"]);
        await sql.query(insert, ["b"]);
        expect(await sql.query(all, [])).toEqual([{ k: "a" }, { k: "b" }]);
      });
      await expect(
        store.tx(async (sql) => {
          await sql.query(insert, ["c"]);
          await sql.query(insert, ["a"]); // unique violation
        }),
      ).rejects.toMatchObject({ code: "23505" });
      const byKey = "SELECT * FROM items WHERE k = $1";
      expect(await store.query(byKey, ["c"])).toEqual([]);
      expect(await store.query(all)).toEqual([{ k: "a" }, { k: "b" }]);

      await store.query("ALTER TABLE items ADD COLUMN note text DEFAULT 'n'");
      await expect(store.tx((sql) => sql.query(byKey, ["a"]))).rejects.toMatchObject({ code: "0A000" });
      expect(await store.tx((sql) => sql.query(byKey, ["a"]))).toEqual([{ k: "a", note: "n" }]);
    } finally {
      await store.close();
    }
    await expect(store.query("SELECT $1::int AS n", [1])).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("a closed database refuses statements as the store being unavailable", async () => {
    const own = await PGlite.create({ loadDataDir: template() });
    const mine = new PreparedStatements(own);
    expect(await mine.query("SELECT $1::int AS n", [1])).toEqual([{ n: 1 }]);
    await own.close();
    await expect(mine.query("SELECT $1::int AS n", [1])).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
