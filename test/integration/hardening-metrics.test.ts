/**
 * Hardening issue, item 1: metric labels come from closed sets. A churn of unique operation
 * names (HTTP and websocket), unknown operationNames and webhook paths leaves /metrics the size
 * it was; none of the names a caller sent appears in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const base = () => t.url.replace("/graphql", "");
const CHURN = 1500;
/** Requests in flight at once during the churn. */
const PARALLEL = 25;

async function inBatches(n: number, send: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += PARALLEL) await Promise.all(Array.from({ length: Math.min(PARALLEL, n - i) }, (_, j) => send(i + j)));
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** One request of every kind the churn sends, so each (closed) series exists before "before". */
async function traffic(tag: string, client: ReturnType<typeof wsClient>): Promise<void> {
  const http = await post(t.url, { query: `query Churn_${tag} { suppliers { supplier } }` });
  expect(http.status).toBe(200);
  await (await post(t.url, { query: `query A { suppliers { supplier } }`, operationName: `Missing_${tag}` })).text();
  expect((await post(`${base()}/webhooks/s${tag}/t${tag}`, {})).status).toBe(404);
  const ws = await wsRequest(client, `query WsChurn_${tag} { suppliers { supplier } }`);
  expect(ws.errors).toBeUndefined();
}

async function scrape(): Promise<string> {
  const res = await fetch(`${base()}/metrics`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  return res.text();
}

describe("metric labels (hardening item 1)", () => {
  it(`${CHURN} unique operation names and webhook paths add no series to /metrics`, async () => {
    const client = wsClient(t.wsUrl);
    await traffic("warm", client);
    const before = await scrape();

    await inBatches(CHURN, (i) => traffic(`u${i}`, client));
    const after = await scrape();

    // The gateway's series are the same; only counter values changed. (Node's own metrics may
    // gain a series of a closed set meanwhile, e.g. a GC kind, hence the small size bound.)
    const series = (text: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith("gateway_"))
        .map((l) => l.slice(0, l.lastIndexOf(" ")));
    expect(series(after)).toEqual(series(before));
    expect(Math.abs(after.length - before.length)).toBeLessThan(4096);
    expect(after).not.toMatch(/Churn_|Missing_|WsChurn_/);
    const suppliers = new Set([...after.matchAll(/supplier="([^"]*)"/g)].map((m) => m[1]));
    expect([...suppliers].sort()).toEqual(["ALITRIP", "ATRIP", "CTT", "unknown"]);
    // Counted under their root field, their outcome, and "unknown" suppliers.
    expect(after).toContain(`gateway_graphql_operations_total{operation="suppliers",outcome="OK"} ${2 * (CHURN + 1)}`);
    expect(after).toContain(`gateway_graphql_operations_total{operation="unknown",outcome="OPERATION_RESOLUTION_FAILURE"} ${CHURN + 1}`);
    expect(after).toContain(`gateway_webhooks_received_total{supplier="unknown",outcome="not_found"} ${CHURN + 1}`);
    await client.dispose();

    // Still prompt afterwards.
    const res = await post(t.url, { query: "{ suppliers { supplier } }" });
    expect(res.status).toBe(200);
  }, 120_000);

  it("labels introspection and several root fields with fixed buckets", async () => {
    await post(t.url, { query: "query Intro { __schema { queryType { name } } }" });
    await post(t.url, { query: 'query Two { suppliers { supplier } voidOrders(orderNo: "X-1") { voidCode } }' });
    await post(t.url, { query: "query Broken { suppliers { nope } }" });
    const text = await scrape();
    expect(text).toContain('gateway_graphql_operations_total{operation="introspection",outcome="OK"}');
    expect(text).toContain('gateway_graphql_operations_total{operation="multiple",outcome="OK"}');
    expect(text).toContain('gateway_graphql_operations_total{operation="unknown",outcome="GRAPHQL_VALIDATION_FAILED"}');
    expect(text).not.toMatch(/operation="(Intro|Two|Broken)"/);
  });
});
