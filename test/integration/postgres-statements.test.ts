/**
 * The PostgreSQL engine names its parameterised statements (each connection parses one once;
 * src/store/postgres.ts). A named statement whose table changes shape under it — another
 * instance migrating during a rolling upgrade — fails as a stale plan; the engine runs it
 * again unnamed and goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/index.js";
import { DATABASE_URL, postgresStore, skipReason } from "../helpers/store.js";

const skip = DATABASE_URL ? false : skipReason("PostgreSQL named statements", "TEST_DATABASE_URL");

describe("named statements on PostgreSQL", () => {
  let store: Store;
  beforeAll(async () => {
    if (!skip) store = await postgresStore();
  });
  afterAll(async () => store?.close());

  const onEveryConnection = (text: string, params: unknown[]) =>
    Promise.all(Array.from({ length: 5 }, () => store.db.query<Record<string, unknown>>(text, params)));

  it.skipIf(skip)("a statement prepared on every connection keeps working after its table gains a column", async () => {
    await store.db.query("CREATE TABLE shapes (id int PRIMARY KEY, name text)");
    await store.db.query("INSERT INTO shapes VALUES (1, 'one'), (2, 'two')");
    const read = "SELECT * FROM shapes WHERE id = $1";
    for (const rows of await onEveryConnection(read, [1])) expect(rows).toEqual([{ id: 1, name: "one" }]);
    // Named on every connection now; the shape changes under it.
    await store.db.query("ALTER TABLE shapes ADD COLUMN colour text DEFAULT 'red'");
    for (const rows of await onEveryConnection(read, [2])) expect(rows).toEqual([{ id: 2, name: "two", colour: "red" }]);
    for (const rows of await onEveryConnection(read, [1])) expect(rows).toEqual([{ id: 1, name: "one", colour: "red" }]);
  });

  it.skipIf(skip)("the same text with other parameters, and errors, behave as unnamed ones do", async () => {
    const text = "SELECT $1::int + $2::int AS sum";
    expect(await store.db.query(text, [1, 2])).toEqual([{ sum: 3 }]);
    expect(await store.db.query(text, [40, 2])).toEqual([{ sum: 42 }]);
    await expect(store.db.query(text, ["x", 2])).rejects.toThrow(/invalid input syntax/);
    expect(await store.db.query(text, [5, 5])).toEqual([{ sum: 10 }]);
  });

  it.skipIf(skip)("are prepared on the connection; with DATABASE_NAMED_STATEMENTS=false, none is", async () => {
    for (const namedStatements of [true, false]) {
      // One connection, so the statement and the look at what it prepared share a session.
      const one = await postgresStore(undefined, DATABASE_URL, { max: 1, namedStatements });
      try {
        expect(await one.db.query("SELECT $1::int AS one", [1])).toEqual([{ one: 1 }]);
        const prepared = await one.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'gw%'");
        expect(prepared[0].n).toBe(namedStatements ? 1 : 0);
      } finally {
        await one.close();
      }
    }
  });
});
