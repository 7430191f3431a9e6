/**
 * The embedded store's maintenance (src/store/maintenance.ts): PGlite runs no autovacuum, so
 * the gateway analyses and vacuums its tables by autovacuum's rule. Against a real PGlite.
 */
import { afterEach, describe, expect, it } from "vitest";
import { dueWork, maintain, nextStep, startMaintenance } from "../../src/store/maintenance.js";
import type { Store } from "../../src/store/index.js";
import { pgliteStore } from "../helpers/store.js";

interface Stats {
  n_dead_tup: string;
  n_mod_since_analyze: string;
  analyzed: boolean;
  vacuumed: boolean;
}

async function stats(store: Store, table: string): Promise<Stats> {
  await store.db.query("SELECT pg_stat_force_next_flush()");
  const [row] = await store.db.query<Stats>(
    `SELECT n_dead_tup::text, n_mod_since_analyze::text, last_analyze IS NOT NULL AS analyzed, last_vacuum IS NOT NULL AS vacuumed
       FROM pg_stat_user_tables WHERE relname = $1`,
    [table],
  );
  return row;
}

/** 2,000 records, each then updated three times: 6,000 dead rows and 8,000 changes since the last analysis. */
async function churn(store: Store): Promise<void> {
  await store.db.query(
    `INSERT INTO tracked (kind, tenant, supplier, ref, order_no, status, is_final, data, updated_at)
     SELECT 'void', 't', 'S', 'v' || g, 'o' || g, '0', false, '{}'::jsonb, now() FROM generate_series(1, 2000) g`,
  );
  for (const status of ["1", "2", "3"]) await store.db.query("UPDATE tracked SET status = $1", [status]);
}

describe("which step is due", () => {
  const t = { table: "x", rows: 10_000, live: 10_000, changedSinceAnalyze: 50_000, dead: 11_000 };

  it("vacuums once the dead rows pass 1,000 + the live ones; analyses a table never analysed, or one whose size moved by 1,000 + half", () => {
    expect(nextStep([t])).toBeUndefined();
    expect(nextStep([{ ...t, dead: 11_001 }])).toEqual({ table: "x", did: "VACUUM" });
    // Updates alone do not call for statistics again; a change of size does.
    expect(nextStep([{ ...t, live: 16_000 }])).toBeUndefined();
    expect(nextStep([{ ...t, live: 16_001 }])).toEqual({ table: "x", did: "ANALYZE" });
    expect(nextStep([{ ...t, live: 3_999 }])).toEqual({ table: "x", did: "ANALYZE" });
    // Never analysed nor vacuumed (reltuples -1): statistics once 1,000 rows changed.
    expect(nextStep([{ table: "y", rows: -1, live: 1000, changedSinceAnalyze: 1000, dead: 0 }])).toBeUndefined();
    expect(nextStep([{ table: "y", rows: -1, live: 1001, changedSinceAnalyze: 1001, dead: 0 }])).toEqual({ table: "y", did: "ANALYZE" });
    expect(nextStep([{ ...t, live: 15_500, dead: 0 }])).toBeUndefined();
    expect(nextStep([{ ...t, live: 15_500, dead: 0 }], { threshold: 0 })).toEqual({ table: "x", did: "ANALYZE" });
  });

  it("takes the most overdue step of all tables, one at a time", () => {
    const tables = [
      { table: "a", rows: 1000, live: 4000, changedSinceAnalyze: 3000, dead: 0 },
      { table: "b", rows: 1000, live: 1000, changedSinceAnalyze: 0, dead: 8000 },
    ];
    expect(dueWork(tables[0]).analyze).toBe(2);
    expect(dueWork(tables[1]).vacuum).toBe(4);
    expect(nextStep(tables)).toEqual({ table: "b", did: "VACUUM" });
    expect(nextStep([tables[0], { ...tables[1], dead: 3000 }])).toEqual({ table: "a", did: "ANALYZE" });
  });
});

describe("maintenance of the embedded store", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it("PGlite leaves dead rows and no statistics by itself; rounds vacuum and analyse what is due, one step each, until nothing is", async () => {
    store = await pgliteStore({ maintenance: false });
    await churn(store);
    const before = await stats(store, "tracked");
    // (Of the 6,000 old versions, those on pages with room are pruned on the way: the
    // tracked records' pages keep a quarter free, store migration 7.)
    expect(Number(before.n_dead_tup)).toBeGreaterThan(2000);
    expect(before.analyzed).toBe(false);

    const steps = [];
    for (let step = await maintain(store.db); step; step = await maintain(store.db)) steps.push(step);
    expect(steps).toContainEqual({ table: "public.tracked", did: "VACUUM" });
    const analysed = steps.find((s) => s.table === "public.tracked" && s.did === "ANALYZE");
    expect(analysed?.columns).toMatch(/^kind, tenant, supplier, ref, order_no, status, is_final, started_at, /);
    expect(analysed?.columns).not.toContain("data");
    expect(steps.length).toBeLessThan(10);
    const after = await stats(store, "tracked");
    // (An ANALYZE of some columns leaves the count of changes since the last one as it was.)
    expect(after).toMatchObject({ n_dead_tup: "0", analyzed: true, vacuumed: true });
    const sampled = await store.db.query<{ attname: string }>("SELECT attname FROM pg_stats WHERE tablename = 'tracked' ORDER BY attname");
    expect(sampled.map((r) => r.attname)).toEqual(expect.arrayContaining(["kind", "ref", "status", "tenant"]));
    expect(sampled.map((r) => r.attname)).not.toContain("data");
    // The planner knows the table's size, and nothing is due any more.
    const [size] = await store.db.query<{ rows: number }>("SELECT reltuples::int AS rows FROM pg_class WHERE relname = 'tracked'");
    expect(size.rows).toBe(2000);
    expect(await maintain(store.db)).toBeUndefined();
    // The statistics target is the session's default again.
    expect((await store.db.query<{ t: string }>("SELECT current_setting('default_statistics_target') AS t"))[0].t).toBe("100");
  });

  it("analyses every column of a table without JSON columns", async () => {
    store = await pgliteStore({ maintenance: false });
    await store.db.query("CREATE TABLE plain (id int, name text)");
    await store.db.query("INSERT INTO plain SELECT g, 'n' || g FROM generate_series(1, 2000) g");
    const steps = [];
    for (let step = await maintain(store.db); step; step = await maintain(store.db)) steps.push(step);
    expect(steps).toContainEqual({ table: "public.plain", did: "ANALYZE" });
    expect(await stats(store, "plain")).toMatchObject({ n_mod_since_analyze: "0", analyzed: true });
  });

  it("with the statistics, a delivery read finds the new events by the tx index (no sequential scan), with their records joined", async () => {
    store = await pgliteStore({ maintenance: false });
    await churn(store);
    await store.db.query(
      `INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source)
       SELECT 'void', 't', 'S', 'v' || (g % 2000 + 1), 'o' || (g % 2000 + 1), '1', '0', false, 'POLL' FROM generate_series(1, 4000) g`,
    );
    while (await maintain(store.db));
    const cursor = await store.events.head();
    await store.db.query(
      `INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source)
       VALUES ('void', 't', 'S', 'v7', 'o7', '2', '1', true, 'WEBHOOK')`,
    );
    const page = await store.events.since(cursor, 1000);
    expect(page.events.map((e) => [e.ref, e.status])).toEqual([["v7", "2"]]);
    expect(page.events[0].data).toEqual({});

    const plan = (
      await store.db.query<{ "QUERY PLAN": string }>(
        `EXPLAIN SELECT * FROM tracked_events e WHERE e.tx >= pg_snapshot_xmin($1::pg_snapshot)
           AND NOT pg_visible_in_snapshot(e.tx, $1::pg_snapshot) ORDER BY e.id LIMIT 1000`,
        [cursor],
      )
    )
      .map((r) => r["QUERY PLAN"])
      .join("\n");
    expect(plan).toContain("tracked_events_tx");
    expect(plan).not.toContain("Seq Scan");
  });

  it("runs by itself on its interval until stopped", async () => {
    store = await pgliteStore({ maintenance: false });
    await churn(store);
    const failures: unknown[] = [];
    const running = startMaintenance(store.db, { intervalMs: 50 }, (err) => failures.push(err));
    try {
      await expect.poll(async () => (await stats(store!, "tracked")).vacuumed, { timeout: 10_000, interval: 50 }).toBe(true);
    } finally {
      await running.stop();
    }
    expect(failures).toEqual([]);
  });

  it("the embedded store's own loop analyses the tracked records without their JSON column", async () => {
    store = await pgliteStore({ maintenance: { intervalMs: 50 } });
    await churn(store);
    const sampled = async () =>
      (await store!.db.query<{ attname: string }>("SELECT attname FROM pg_stats WHERE tablename = 'tracked'")).map((r) => r.attname);
    await expect.poll(sampled, { timeout: 10_000, interval: 50 }).toEqual(expect.arrayContaining(["kind", "ref", "status"]));
    expect(await sampled()).not.toContain("data");
  });

  it("reports a failed round and tries again on the next", async () => {
    const failures: unknown[] = [];
    let calls = 0;
    const broken = {
      query: async () => {
        calls += 1;
        throw new Error("store away");
      },
    };
    const running = startMaintenance(broken, { intervalMs: 20 }, (err) => failures.push(err));
    await expect.poll(() => calls, { timeout: 5_000, interval: 10 }).toBeGreaterThanOrEqual(2);
    await running.stop();
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(String(failures[0])).toContain("store away");
  });
});
