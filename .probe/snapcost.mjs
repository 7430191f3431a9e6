import { readFileSync } from "node:fs";
import { openPglite } from "../dist/src/store/pglite.js";
import { openPostgres } from "../dist/src/store/postgres.js";
import { migrate } from "../dist/src/store/migrations.js";
import { wrap } from "../dist/src/store/index.js";
const engine = process.argv[2];
let db;
if (engine === "pg") db = await openPostgres({ connectionString: "postgres://postgres@127.0.0.1:5432/test", schema: "snapcost_" + process.pid, max: 5 });
else db = await openPglite({});
await migrate(db);
const store = wrap(db);
const N = 2000;
async function round(tag, on) {
  await db.query(on ? "ALTER TABLE tracked_events ALTER COLUMN written_in SET DEFAULT pg_current_snapshot()" : "ALTER TABLE tracked_events ALTER COLUMN written_in DROP DEFAULT");
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await store.tracked.insert({ key: { kind: "void", tenant: "t", supplier: "ATRIP", ref: `${tag}-${i}` }, orderNo: "O", status: "SUPPLIER_PROCESSING", isFinal: false, data: { a: 1 }, started: true, firstCheckInMs: 60000, source: "SUBMIT", message: null });
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / N;
}
const res = { on: [], off: [] };
for (let r = 0; r < 6; r++) {
  for (const on of r % 2 ? [true, false] : [false, true]) res[on ? "on" : "off"].push(await round(`r${r}${on}`, on));
}
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(engine, "µs per insert: with snapshot", med(res.on).toFixed(1), res.on.map((x) => x.toFixed(0)).join(","), " without", med(res.off).toFixed(1), res.off.map((x) => x.toFixed(0)).join(","));
if (engine === "pg") await db.query(`DROP SCHEMA snapcost_${process.pid} CASCADE`);
await db.close();
