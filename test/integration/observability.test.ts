/** /metrics names and labels after traffic; /healthz and /readyz. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fresh } from "../helpers/atrip.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ VOID_POLL_MIN_MS: "200" });
});
afterAll(async () => t?.close());

const base = () => t.url.replace("/graphql", "");

describe("observability", () => {
  it("exposes the metrics worth alerting on, with their labels, after traffic", async () => {
    const client = wsClient(t.wsUrl);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const sub = collect<EventOut>(client, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 150));
    await quoteAndSubmit(t.url, orderNo);
    await gql(t.url, QUOTE, { orderNo: "ATR-TICKET-USED" });
    // void.do says status 0 with a voidStatus ATRIP does not document: the mapping refuses it.
    await quoteAndSubmit(t.url, fresh("ATR-VOID-ODD-STATUS"));
    // Alitrip's reply is well formed but refuses the cancel (success=true with a fail_code).
    await gql(
      t.url,
      `mutation { cancelOrder(input: { supplier: ALITRIP, orderNo: "${fresh("ALI-TICKETED")}", subChannel: "corp001" }) { orderNo } }`,
    );
    await sub.waitFor(1);
    await fetch(`${base()}/webhooks/atrip/${t.gw.webhookTokens.ATRIP}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cid: "c", type: "order.other", status: -1, data: {} }),
    });
    await fetch(`${base()}/webhooks/atrip/wrong-token-wrong-token`, { method: "POST", body: "{}" });
    await wsRequest(client, "query OverWs { suppliers { supplier } }");
    const res = await fetch(`${base()}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const line of [
      'gateway_graphql_operations_total{operation="voidQuote",outcome="OK"}',
      'gateway_graphql_operations_total{operation="suppliers",outcome="OK"}',
      'gateway_graphql_operations_total{operation="voidQuote",outcome="TICKET_ALREADY_USED"}',
      'gateway_graphql_operation_duration_seconds_bucket{le="0.1",operation="submitVoid",outcome="OK"}',
      'gateway_supplier_calls_total{supplier="ATRIP",operation="voidQuotation.do",outcome="OK"}',
      'gateway_supplier_calls_total{supplier="ATRIP",operation="void.do",outcome="OK"}',
      // A supplier's refusal counts under the code the client got, not as OK.
      'gateway_supplier_calls_total{supplier="ATRIP",operation="voidQuotation.do",outcome="TICKET_ALREADY_USED"}',
      // So does a reply the mapping refuses after the envelope said 0.
      'gateway_supplier_calls_total{supplier="ATRIP",operation="void.do",outcome="SUPPLIER_OUTCOME_UNKNOWN"}',
      'gateway_supplier_calls_total{supplier="ALITRIP",operation="alitrip.btrip.flight.distribution.order.cancel",outcome="CANCEL_REJECTED"}',
      'gateway_supplier_call_duration_seconds_count{supplier="ATRIP",operation="void.do"}',
      'gateway_supplier_circuit_open{supplier="ATRIP"} 0',
      'gateway_supplier_circuit_open{supplier="CTT"} 0',
      'gateway_webhooks_received_total{supplier="ATRIP",outcome="stored"}',
      'gateway_webhooks_received_total{supplier="ATRIP",outcome="not_found"}',
      'gateway_events_published_total{kind="void"}',
      "gateway_event_delivery_seconds_count",
      "gateway_open_voids ",
      "gateway_pending_stops ",
      "gateway_poll_lag_seconds ",
      "gateway_websocket_connections 1",
      "gateway_active_subscriptions 1",
      "process_cpu_user_seconds_total",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(text, line).toContain(line);
    }
    // Operations are labelled by root field, never by the client's operationName.
    expect(text).not.toMatch(/operation="(Q|S|OverWs)"/);
    sub.stop();
    await client.dispose();
  });

  it("answers /healthz and /readyz", async () => {
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", store: "ok", pubsub: "ok" });
  });
});
