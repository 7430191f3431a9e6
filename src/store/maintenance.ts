/**
 * Autovacuum for the embedded store. PGlite runs PostgreSQL in single-user mode, where no
 * background worker runs: `SHOW autovacuum` says "on", yet a table with 20,000 updated rows
 * still had 20,000 dead tuples and no statistics 75 s later (measured with PGlite 0.5.16). So
 * the embedded store never analysed its tables — the planner, estimating blind, hashed the
 * whole `tracked` table and scanned the whole event log for every delivery read — and never
 * reclaimed the dead rows every transition and lease leaves behind, so it grew for as long as
 * the gateway ran. PostgreSQL servers have autovacuum; this does its work for PGlite, one
 * short step at a time (see MaintenanceOptions for when).
 */
import type { Sql } from "./db.js";

/**
 * When a table is vacuumed or analysed. Autovacuum's own rule (20 % of the rows dead, 10 %
 * changed) is made for work done beside the queries; here every statement waits behind it on
 * PGlite's one connection, so the bounds are wider: vacuum once the dead rows outnumber the
 * live ones (the table at most about doubles), analyse a table never analysed, or one whose
 * size moved by half since the planner last learnt it. Plans need sizes and rough shapes, not
 * fresh histograms: a value past the histogram's end (the newest events of the log) is read
 * off the index by the planner itself.
 */
export interface MaintenanceOptions {
  /** Time between checks; each does at most one VACUUM or ANALYZE, the most overdue. @default 5000 */
  intervalMs?: number;
  /** Rows (dead, or changed / of size change) a table must pass before either step. @default 1000 */
  threshold?: number;
  /** VACUUM past `threshold` + this share of the rows dead. @default 1 */
  vacuumScaleFactor?: number;
  /** ANALYZE past `threshold` + this share of the rows in size change. @default 0.5 */
  analyzeScaleFactor?: number;
  /**
   * The statistics target of these ANALYZEs: with PostgreSQL's 100, analysing 12,000 events
   * took 90 ms here; with 10, 22 ms, and the plans the gateway needs (an index or not) come out
   * the same. @default 10
   */
  statisticsTarget?: number;
}

/** A table's counters, as `pg_stat_user_tables` and `pg_class` hold them. */
export interface TableActivity {
  /** The table's name, schema-qualified and quoted (ready for a statement). */
  table: string;
  /** Rows the planner believes the table has (`reltuples`; -1 before the first ANALYZE or VACUUM). */
  rows: number;
  live: number;
  changedSinceAnalyze: number;
  dead: number;
}

/** One piece of work on one table. */
export interface MaintenanceStep {
  table: string;
  did: "VACUUM" | "ANALYZE";
  /** The columns an ANALYZE sampled (see analysedColumns), when not all of them. */
  columns?: string;
}

/** How overdue a table's VACUUM and ANALYZE are: the ratio of the count to its bound (> 1: due). */
export function dueWork(t: TableActivity, o: MaintenanceOptions = {}): { vacuum: number; analyze: number } {
  const threshold = o.threshold ?? 1000;
  const rows = Math.max(0, t.rows);
  return {
    vacuum: t.dead / (threshold + (o.vacuumScaleFactor ?? 1) * rows),
    analyze:
      t.rows < 0 ? t.changedSinceAnalyze / threshold : Math.abs(t.live - t.rows) / (threshold + (o.analyzeScaleFactor ?? 0.5) * rows),
  };
}

/** Reads every user table's counters (flushed first: a backend hands its counts over only every second or so). */
async function readActivity(sql: Sql): Promise<TableActivity[]> {
  await sql.query("SELECT pg_stat_force_next_flush()");
  const rows = await sql.query<{ table: string; rows: string; live: string; changed: string; dead: string }>(
    `SELECT format('%I.%I', s.schemaname, s.relname) AS table, c.reltuples::text AS rows, s.n_live_tup::text AS live,
            s.n_mod_since_analyze::text AS changed, s.n_dead_tup::text AS dead
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid`,
  );
  return rows.map((r) => ({
    table: r.table,
    rows: Number(r.rows),
    live: Number(r.live),
    changedSinceAnalyze: Number(r.changed),
    dead: Number(r.dead),
  }));
}

/** The most overdue step of all tables, if any is due. */
export function nextStep(tables: TableActivity[], o: MaintenanceOptions = {}): MaintenanceStep | undefined {
  let best: { step: MaintenanceStep; ratio: number } | undefined;
  for (const t of tables) {
    const due = dueWork(t, o);
    for (const did of ["VACUUM", "ANALYZE"] as const) {
      const ratio = did === "VACUUM" ? due.vacuum : due.analyze;
      if (ratio > 1 && (!best || ratio > best.ratio)) best = { step: { table: t.table, did }, ratio };
    }
  }
  return best?.step;
}

/**
 * The columns an ANALYZE of `table` samples, quoted and comma-separated: all but its `jsonb`
 * ones; undefined for all of them (a table without `jsonb` columns, or with only those). No
 * statement of the store filters, joins or sorts on a whole JSON document, and sampling them
 * (event data, webhook bodies, records' data) took half of each ANALYZE on a store of 10,000
 * voids (bench/RESULTS.md, "ANALYZE without the JSON columns").
 */
async function analysedColumns(sql: Sql, table: string): Promise<string | undefined> {
  const [row] = await sql.query<{ columns: string | null }>(
    `SELECT CASE WHEN bool_or(atttypid = 'jsonb'::regtype) AND bool_or(atttypid <> 'jsonb'::regtype)
                 THEN string_agg(quote_ident(attname), ', ' ORDER BY attnum) FILTER (WHERE atttypid <> 'jsonb'::regtype) END AS columns
       FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
  );
  return row?.columns ?? undefined;
}

/**
 * Does the most overdue step, if any, and returns it. One step a round keeps each pause of the
 * single connection short; the next round takes the next table.
 */
export async function maintain(sql: Sql, o: MaintenanceOptions = {}): Promise<MaintenanceStep | undefined> {
  const step = nextStep(await readActivity(sql), o);
  if (!step) return undefined;
  if (step.did === "VACUUM") {
    await sql.query(`VACUUM ${step.table}`);
    return step;
  }
  const columns = await analysedColumns(sql, step.table);
  const target = Math.trunc(o.statisticsTarget ?? 10);
  await sql.query(`SET default_statistics_target = ${target}`);
  try {
    await sql.query(`ANALYZE ${step.table}${columns ? ` (${columns})` : ""}`);
  } finally {
    await sql.query("RESET default_statistics_target");
  }
  return columns ? { ...step, columns } : step;
}

/** A running maintenance loop. */
export interface Maintenance {
  /** Stops the loop and waits for a round in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `maintain` every `intervalMs` (the timer never keeps the process alive). A round that
 * fails is reported to `onError` and the next one tries again; rounds never overlap.
 */
export function startMaintenance(sql: Sql, o: MaintenanceOptions = {}, onError: (err: unknown) => void = () => undefined): Maintenance {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= maintain(sql, o)
      .then(
        () => undefined,
        (err: unknown) => onError(err),
      )
      .finally(() => (running = undefined));
  }, o.intervalMs ?? 5_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
