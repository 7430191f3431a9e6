/**
 * Store reads batched per request (issue 24, item 2), counted at the store's `query` seam: a
 * router's `_entities` with twenty references (with `history`) costs about what one costs, so
 * do twenty Orders with their voids and stops; delivery to many subscribers selecting
 * `voidOrder { history }` costs what it costs for a few; and a batch that mixes two tenants'
 * keys returns each tenant's rows for its own keys only.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { SqlDb } from "../../src/store/db.js";
import { wrap, type Store } from "../../src/store/index.js";
import { migrate } from "../../src/store/migrations.js";
import { openPglite } from "../../src/store/pglite.js";
import { readFileSync } from "node:fs";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit } from "../helpers/graphql.js";
import { PGLITE_DUMP_TEMPLATE } from "../helpers/paths.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway | undefined;
let store: Store | undefined;
afterEach(async () => {
  await t?.close();
  await store?.close();
  t = undefined;
  store = undefined;
});

/**
 * The x-request-id of the HTTP request being served, carried through its async flow. The
 * gateway keeps no such thing (AsyncLocalStorage's promise hooks cost too much on Node 20 and
 * 22, datasources/deadline.ts); the test wraps the server's request handlers in its own.
 */
const serving = new AsyncLocalStorage<string>();

function attributeRequests(server: Server): void {
  const handlers = server.listeners("request") as Array<(...args: unknown[]) => void>;
  server.removeAllListeners("request");
  for (const handle of handlers)
    server.on("request", (req: { headers: Record<string, unknown> }, res: unknown) =>
      serving.run(String(req.headers["x-request-id"] ?? ""), () => handle(req, res)),
    );
}

/** A statement the store ran, and the request it ran for, if any. */
interface Ran {
  text: string;
  requestId?: string;
}

/** A PGlite store whose every statement (in transactions too) is recorded with its request id. */
async function countingStore(): Promise<{ store: Store; statements: Ran[] }> {
  const db = await openPglite({ template: new Blob([readFileSync(PGLITE_DUMP_TEMPLATE)]) });
  await migrate(db);
  const statements: Ran[] = [];
  const ran = (text: string) => statements.push({ text, requestId: serving.getStore() });
  const counted: SqlDb = {
    engine: db.engine,
    query: (text, params) => (ran(text), db.query(text, params)),
    tx: (fn) => db.tx((sql) => fn({ query: (text, params) => (ran(text), sql.query(text, params)) })),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return { store: wrap(counted), statements };
}

let requests = 0;
/** Runs one GraphQL request; its answer, and the statements it ran (found by its x-request-id). */
async function countedRequest<T>(statements: Ran[], query: string, variables: Record<string, unknown>) {
  const requestId = `batching-${++requests}`;
  const answer = await gql<T>(t!.url, query, variables, { "x-request-id": requestId });
  return { answer, ran: statements.filter((s) => s.requestId === requestId).map((s) => s.text) };
}

const ENTITIES = `query E($r: [_Any!]!) { _entities(representations: $r) {
  ... on VoidOrder { voidCode status history { status source } }
  ... on Order { orderNo voids { voidCode history { status } } ticketIssuanceStop { state history { state } } }
} }`;

describe("store reads batched per request", () => {
  it("_entities with 20 voids (with history) costs within a few statements of 1; 20 Orders likewise", async () => {
    const c = await countingStore();
    store = c.store;
    t = await startTestGateway({ FEDERATION_SUBGRAPH: "true" }, store);
    attributeRequests(t.gw.server.httpServer);
    const orders = Array.from({ length: 20 }, () => fresh("ATR-VOID-VCC"));
    const codes: string[] = [];
    for (const o of orders) codes.push(await quoteAndSubmit(t.url, o));
    const voids = (n: number) => codes.slice(0, n).map((voidCode) => ({ __typename: "VoidOrder", supplier: "ATRIP", voidCode }));

    const one = await countedRequest<{ _entities: unknown[] }>(c.statements, ENTITIES, { r: voids(1) });
    const twenty = await countedRequest<{ _entities: Array<{ voidCode: string; history: unknown[] }> }>(c.statements, ENTITIES, {
      r: voids(20),
    });
    expect(one.answer.data?._entities).toHaveLength(1);
    expect(twenty.answer.data?._entities.map((e) => e.voidCode)).toEqual(codes);
    expect(twenty.answer.data?._entities.every((e) => e.history.length >= 1)).toBe(true);
    // The records and their history: one statement each, for one reference as for twenty.
    expect(one.ran, one.ran.join("\n---\n")).toHaveLength(2);
    expect(twenty.ran, twenty.ran.join("\n---\n")).toHaveLength(2);

    const orderRefs = orders.map((orderNo) => ({ __typename: "Order", supplier: "ATRIP", orderNo }));
    const byOrder = await countedRequest<{ _entities: Array<{ voids: Array<{ voidCode: string }> }> }>(c.statements, ENTITIES, {
      r: orderRefs,
    });
    expect(byOrder.answer.data?._entities.map((e) => e.voids.map((v) => v.voidCode))).toEqual(codes.map((code) => [code]));
    // The orders' voids, their stops, and the voids' history: one statement each.
    expect(byOrder.ran, byOrder.ran.join("\n---\n")).toHaveLength(3);
  });

  it("delivery to 40 subscribers selecting voidOrder { history } costs what it costs for 5", async () => {
    const c = await countingStore();
    store = c.store;
    t = await startTestGateway({ VOID_POLL_MIN_MS: "60000" }, store);
    const query = "subscription { voidStatusChanged { id voidOrder { voidCode history { status } } } }";
    const deliveryCost = async (n: number) => {
      const client = wsClient(t!.wsUrl);
      const subs = Array.from({ length: n }, () => collect(client, query, {}, (d) => d));
      await eventually(() => t!.gw.services.tracking.subscriptions.active === n);
      const orderNo = fresh("ATR-VOID-VCC");
      const from = c.statements.length;
      await quoteAndSubmit(t!.url, orderNo);
      await Promise.all(subs.map((s) => s.waitFor(1)));
      const cost = c.statements.length - from;
      subs.forEach((s) => s.stop());
      await client.dispose();
      await eventually(() => t!.gw.services.tracking.subscriptions.active === 0);
      return cost;
    };
    const five = await deliveryCost(5);
    const forty = await deliveryCost(40);
    expect(forty).toBeLessThanOrEqual(five + 3);
  });

  it("a batch that mixes two tenants' keys returns each tenant's rows for its own keys only", async () => {
    t = await startTestGateway();
    const orderNo = fresh("ATR-VOID-VCC");
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    const { tracking } = t.gw.services;
    const tenant = "demo"; // the anonymous demo's tenant
    const loaders = tracking.loaders();
    const mine = tracking.voids.key(tenant, "ATRIP", voidCode);
    const theirs = tracking.voids.key("globex", "ATRIP", voidCode);
    const [a, b] = await Promise.all([loaders.record.load(mine), loaders.record.load(theirs)]);
    expect(a?.tenant).toBe(tenant);
    expect(b).toBeNull();
    const [ha, hb] = await Promise.all([loaders.history.load(mine), loaders.history.load(theirs)]);
    expect(ha.length).toBeGreaterThanOrEqual(1);
    expect(ha.every((e) => e.tenant === tenant)).toBe(true);
    expect(hb).toEqual([]);
    const [oa, ob] = await Promise.all([
      loaders.byOrder.load({ kind: "void", tenant, orderNo }),
      loaders.byOrder.load({ kind: "void", tenant: "globex", orderNo }),
    ]);
    expect(oa.map((r) => r.ref)).toEqual([voidCode]);
    expect(ob).toEqual([]);
  });
});
