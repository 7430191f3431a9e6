/**
 * Webhook intake: sustained durable intake on the embedded store (PGlite) and, when
 * BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, on PostgreSQL. Target ≥ 2,000 webhooks/s,
 * none lost: every 200 must be a row in the inbox, counted after the gateway stopped.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type StoreOptions } from "../src/store/index.js";
import { load, record } from "./lib.js";
import { startGateway, stop } from "./processes.js";

const seconds = Number(process.env.BENCH_SECONDS ?? "10");
const connections = 50;
const token = "bench-webhook-token-0123456789";
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

async function run(name: string, storeEnv: Record<string, string>, storeOpts: StoreOptions): Promise<Array<string | number>> {
  const gw = await startGateway({ ...storeEnv, ATRIP_WEBHOOK_TOKEN: token, WEBHOOK_RATE_LIMIT: "1000000" });
  const url = gw.url.replace("/graphql", `/webhooks/atrip/${token}`);
  // An order.void for a void no tenant knows: stored, then kept in the inbox by the processor.
  const body = JSON.stringify({
    cid: "bench",
    type: "order.void",
    status: -1,
    data: { orderNo: "BENCH-1", voidCode: "209901-0001", voidStatus: 1, message: "" },
  });
  let r;
  try {
    r = await load({ url, body, connections, seconds });
  } finally {
    await stop(gw.child);
  }
  const store = await openStore(storeOpts);
  const counts = await store.inbox.countByState();
  await store.close();
  const stored = Object.values(counts).reduce((a, b) => a + b, 0);
  return [
    name,
    r.requestsPerSec.toFixed(0),
    r.p50,
    r.p99,
    r.ok,
    stored,
    stored >= r.ok ? "none" : String(r.ok - stored),
    r.non2xx,
    r.errors,
  ];
}

const rows: Array<Array<string | number>> = [];
const dataDir = join(mkdtempSync(join(tmpdir(), "bench-wh-")), "data");
rows.push(await run("PGlite (embedded)", { DATA_DIR: dataDir }, { dataDir }));
if (databaseUrl) {
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  rows.push(await run("PostgreSQL", { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }, { databaseUrl, databaseSchema: schema }));
  const s = await openStore({ databaseUrl, databaseSchema: schema });
  await s.db.query(`DROP SCHEMA ${schema} CASCADE`);
  await s.close();
}
record(
  `webhooks: durable intake (${connections} connections, ${seconds} s)`,
  ["store", "webhooks/s", "p50 ms", "p99 ms", "answered 200", "rows in inbox", "lost", "non-2xx", "errors"],
  rows,
  [
    "target ≥ 2,000 webhooks/s with none lost; each 200 is given only after the row is written.",
    databaseUrl ? "" : "PostgreSQL row skipped: BENCH_DATABASE_URL / TEST_DATABASE_URL not set.",
  ].filter(Boolean),
);
