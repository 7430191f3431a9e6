/**
 * Statements on the embedded store, run as prepared statements (issue 24, item 3).
 *
 * PGlite's own `query` hands a statement to its WebAssembly backend in six calls (parse,
 * describe, bind, describe, execute, sync) and has it parsed, analysed and planned every time.
 * Here a statement with parameters is prepared once under a name, its result columns kept, and
 * each later run only binds and executes it, every message in one call: a record read by key
 * costs 69–108 µs of CPU instead of 366–431 (bench/RESULTS.md, "Prepared statements on the
 * embedded store and the heap's growth step"). A statement without parameters (DDL,
 * migrations) is sent unnamed, still in one call.
 *
 * Parameters are encoded as node-postgres encodes them for the PostgreSQL engine
 * (`prepareValue`: text, arrays as array literals, objects as JSON), their types left to the
 * server, so a statement means the same on both engines; rows are read with PGlite's own type
 * parsers, as its `query` reads them. PostgreSQL re-plans a prepared statement when a table it
 * reads changes or gets new statistics (./maintenance.ts runs ANALYZE); one whose result columns
 * would change (`SELECT *` over a table that gained a column) is forgotten and prepared afresh:
 * at once outside a transaction, on its next run inside one (whose statement has failed).
 */
import { messages, protocol, type PGlite } from "@electric-sql/pglite";
import pgUtils from "pg/lib/utils.js";
import { StoreUnavailableError } from "./errors.js";
import { MAX_PREPARED, STALE_PLAN } from "./prepared.js";

const { serialize } = protocol;

type Parser = PGlite["parsers"][number];

/** A statement's result columns, with the parser of each (PGlite's, by type). */
interface Shape {
  names: string[];
  types: number[];
  parsers: Array<Parser | undefined>;
}

/** A statement prepared under `name`; `shape` null when it returns no rows. */
interface Prepared {
  name: string;
  shape: Shape | null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function shapeOf(description: messages.RowDescriptionMessage, parsers: PGlite["parsers"]): Shape {
  const types = description.fields.map((f) => f.dataTypeID);
  return { names: description.fields.map((f) => f.name), types, parsers: types.map((t) => parsers[t]) };
}

/** The data rows among `replies` as objects, each value read by its column's parser (text as is), as PGlite's `query` reads them. */
function rowsOf<T>(replies: messages.BackendMessage[], shape: Shape | null): T[] {
  const rows: T[] = [];
  if (!shape) return rows;
  const { names, types, parsers } = shape;
  for (const m of replies) {
    if (m.name !== "dataRow") continue;
    const fields = (m as messages.DataRowMessage).fields;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const value = fields[i];
      const parser = parsers[i];
      row[names[i]] = value === null ? null : parser ? parser(value, types[i]) : value;
    }
    rows.push(row as T);
  }
  return rows;
}

/** Runs statements on one PGlite database as prepared statements. */
export class PreparedStatements {
  private readonly prepared = new Map<string, Prepared>();
  private made = 0;

  constructor(private readonly db: PGlite) {}

  /** Runs `text` outside a transaction, in turn with every other statement and transaction. */
  query<T>(text: string, params: unknown[]): Promise<T[]> {
    return this.db._runExclusiveTransaction(() => this.db._runExclusiveQuery(() => this.run<T>(text, params, false)));
  }

  /** Runs `text` inside the transaction PGlite's `transaction` holds (its lock already taken). */
  inTransaction<T>(text: string, params: unknown[]): Promise<T[]> {
    return this.db._runExclusiveQuery(() => this.run<T>(text, params, true));
  }

  private async run<T>(text: string, params: unknown[], inTx: boolean, again = false): Promise<T[]> {
    if (this.db.closed) throw new StoreUnavailableError("The embedded store is closed");
    const known = this.prepared.get(text);
    const name = known?.name ?? (params.length > 0 && this.prepared.size < MAX_PREPARED ? `gw${++this.made}` : "");
    // A new text is parsed and described first; a prepared one is only bound and executed.
    const parts = known ? [] : [serialize.parse({ name, text }), serialize.describe({ type: "S", name })];
    parts.push(
      serialize.bind({ statement: name, values: params.map((v) => pgUtils.prepareValue(v) as string | null) }),
      serialize.execute({}),
      serialize.sync(),
    );
    const replies = await this.db.execProtocolStream(concat(parts), { syncToFs: !inTx, throwOnError: false });
    let shape = known?.shape ?? null;
    let failure: messages.DatabaseError | undefined;
    let parsed = false;
    for (const m of replies) {
      if (m instanceof messages.DatabaseError) failure ??= m;
      else if (m.name === "parseComplete") parsed = true;
      else if (!known && m.name === "rowDescription") shape = shapeOf(m as messages.RowDescriptionMessage, this.db.parsers);
    }
    if (!known && parsed && name !== "") this.prepared.set(text, { name, shape });
    if (failure) {
      if (failure.code === STALE_PLAN && known) {
        await this.forget(text, name);
        // Nothing ran; outside a transaction it runs again, prepared afresh.
        if (!inTx && !again) return this.run<T>(text, params, inTx, true);
      }
      // As PGlite's `query` reports it.
      throw Object.assign(failure, { query: text, params, queryOptions: undefined });
    }
    return rowsOf<T>(replies, shape);
  }

  private async forget(text: string, name: string): Promise<void> {
    this.prepared.delete(text);
    await this.db.execProtocolStream(concat([serialize.close({ type: "S", name }), serialize.sync()]), {
      syncToFs: false,
      throwOnError: false,
    });
  }
}
