/**
 * Hardening issue, item 6: client mistakes are client errors with a clear message, never
 * INTERNAL_SERVER_ERROR or a 503 — and the gateway answers promptly afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, VOID_EVENTS } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const TRIVIAL = "{ suppliers { supplier } }";

async function stillServing(): Promise<void> {
  const res = await fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: TRIVIAL }),
    signal: AbortSignal.timeout(5000),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
}

describe("client mistakes (hardening item 6)", () => {
  it("refresh: null means refresh: false", async () => {
    const literal = await gql(t.url, '{ voidOrder(supplier: ATRIP, voidCode: "202611-0001", refresh: null) { voidCode } }');
    expect(literal).toEqual({ data: { voidOrder: null } });
    const variable = await gql(
      t.url,
      'query V($r: Boolean) { voidOrder(supplier: ATRIP, voidCode: "202611-0001", refresh: $r) { voidCode } }',
      { r: null },
    );
    expect(variable).toEqual({ data: { voidOrder: null } });
    const before = t.sandbox.atrip!.server.stats.total;
    await gql(t.url, '{ voidOrder(supplier: ATRIP, voidCode: "202611-0001", refresh: null) { voidCode } }');
    expect(t.sandbox.atrip!.server.stats.total).toBe(before);
  });

  it("a subscription sent over HTTP POST is a 400 that says where subscriptions are served", async () => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: VOID_EVENTS, variables: {} }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }>; data?: unknown };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(body.errors[0].message).toMatch(/websocket.*graphql-transport-ws/);
    expect(body.data).toBeUndefined();
    await stillServing();
  });

  it("a variable graphql-js itself refuses is BAD_USER_INPUT naming the field, over HTTP and the websocket", async () => {
    const CANCEL = "mutation C($input: CancelOrderInput!) { cancelOrder(input: $input) { orderNo } }";
    const missing = await gql(t.url, CANCEL, { input: { supplier: "CTT" } });
    expect(missing.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "orderNo" });
    const wrongEnum = await gql(t.url, CANCEL, { input: { supplier: "NOPE", orderNo: "O" } });
    expect(wrongEnum.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "supplier" });
    const client = wsClient(t.wsUrl);
    const overWs = await wsRequest(client, CANCEL, { input: { supplier: "CTT", orderNo: 7 } });
    expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "orderNo" });
    await client.dispose();
  });

  it("a variable of the client's own naming is named by the argument or input field it is given to, over HTTP and the websocket", async () => {
    const QUOTE = "mutation Q($sup: Supplier!, $o: String!) { voidQuote(input: { supplier: $sup, orderNo: $o }) { isVoidable } }";
    expect((await gql(t.url, QUOTE, { sup: "atrip", o: "O" })).errors?.[0]?.extensions).toEqual({
      code: "BAD_USER_INPUT",
      field: "supplier",
    });
    const VOID = "query V($x: String!, $r: Boolean) { voidOrder(supplier: ATRIP, voidCode: $x, refresh: $r) { status } }";
    expect((await gql(t.url, VOID, { x: 5 })).errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "voidCode" });
    // A document of two operations: the variable as the one that ran uses it.
    const two = `query A($x: String!) { ticketIssuanceStop(supplier: ATRIP, orderNo: $x) { state } }\n${VOID.replace("query V", "query B")}`;
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: two, operationName: "B", variables: { x: 5 } }),
    });
    expect(((await res.json()) as { errors: Array<{ extensions: unknown }> }).errors[0].extensions).toEqual({
      code: "BAD_USER_INPUT",
      field: "voidCode",
    });
    const client = wsClient(t.wsUrl);
    const overWs = await wsRequest(client, VOID, { x: "C", r: "true" });
    expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "refresh" });
    await client.dispose();
  });

  it.each(["9223372036854775808", "99999999999999999999", "-1", "1e3"])("afterEventId %s is BAD_USER_INPUT", async (afterEventId) => {
    const client = wsClient(t.wsUrl);
    const r = await wsRequest(client, VOID_EVENTS, { after: afterEventId });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "afterEventId" });
    expect(r.errors?.[0]?.message).toMatch(/^afterEventId: must be an event id/);
    await client.dispose();
    await stillServing();
  });

  it("a cancel field one supplier ignores is checked only for the supplier that takes it", async () => {
    const CANCEL = `mutation C($input: CancelOrderInput!) { cancelOrder(input: $input) { orderNo } }`;
    const cancel = (input: Record<string, unknown>) => gql<{ cancelOrder: { orderNo: string } }>(t.url, CANCEL, { input });
    const field = (r: Awaited<ReturnType<typeof cancel>>) => [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.field];
    const longReason = "x".repeat(201);
    // CTT ignores subChannel; ALITRIP ignores passengerIds and reason.
    expect((await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign1", subChannel: "a/b" })).data?.cancelOrder.orderNo).toBe(
      "CTT-CANCEL-OK-ign1",
    );
    const ali = await cancel({
      supplier: "ALITRIP",
      orderNo: "ALI-CANCEL-OK-ign1",
      subChannel: "corp001",
      passengerIds: ["not ok"],
      reason: longReason,
    });
    expect(ali.data?.cancelOrder.orderNo).toBe("ALI-CANCEL-OK-ign1");
    // Where the field is sent, it is checked.
    expect(field(await cancel({ supplier: "ALITRIP", orderNo: "ALI-CANCEL-OK-ign2", subChannel: "a/b" }))).toEqual([
      "BAD_USER_INPUT",
      "subChannel",
    ]);
    expect(field(await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign2", reason: longReason }))).toEqual([
      "BAD_USER_INPUT",
      "reason",
    ]);
    expect(field(await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign2", passengerIds: ["not ok"] }))).toEqual([
      "BAD_USER_INPUT",
      "passengerIds",
    ]);
    // A reason is text: no NUL or other control character (line breaks and tabs are text), no unpaired surrogate.
    for (const reason of ["a\u0000b", "a\u001bb", "a\u007fb", "a\ud800b", "\udc00"]) {
      expect(field(await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign3", reason })), JSON.stringify(reason)).toEqual([
        "BAD_USER_INPUT",
        "reason",
      ]);
    }
    const text = await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign3", reason: "plans changed\n\tsee 机票 😀" });
    expect(text.data?.cancelOrder.orderNo).toBe("CTT-CANCEL-OK-ign3");
    // 200 characters are counted in code points, every one (a variation selector too, which
    // class-validator's Length passed over: 400 got through), an emoji as one.
    for (const reason of ["a".repeat(200) + "\uFE0E", "a\uFE0F".repeat(101)])
      expect(field(await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign4", reason }))).toEqual(["BAD_USER_INPUT", "reason"]);
    const emoji = await cancel({ supplier: "CTT", orderNo: "CTT-CANCEL-OK-ign4", reason: "😀".repeat(200) });
    expect(emoji.data?.cancelOrder.orderNo).toBe("CTT-CANCEL-OK-ign4");
  });

  it.each([
    ["U+0000", String.raw`{"cid":"c","type":"order.other","status":-1,"data":{"note":"a\u0000b"}}`, { note: "a\uFFFDb" }],
    ["a lone high surrogate", String.raw`{"cid":"c","type":"order.other","status":-1,"data":{"note":"a\ud800b"}}`, { note: "a\uFFFDb" }],
    ["a lone low surrogate in a key", String.raw`{"cid":"c","type":"order.other","status":-1,"data":{"\udc00":1}}`, { "\uFFFD": 1 }],
  ])("a webhook body with %s is stored with U+FFFD in its place (200): never a 503, and not lost", async (_what, body, data) => {
    const hook = `${t.url.replace("/graphql", "")}/webhooks/atrip/${t.gw.webhookTokens.ATRIP}`;
    const res = await fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(200);
    const [row] = await t.store.db.query<{ payload: unknown }>("SELECT payload FROM webhook_inbox ORDER BY id DESC LIMIT 1");
    const payload = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as { data: unknown };
    expect(payload.data).toEqual(data);
    await stillServing();
  });

  // Last: it leaves ALITRIP's circuit open.
  it("a cancel without a sub-channel is bad input even while the supplier's circuit is open", async () => {
    const CANCEL = `mutation C($input: CancelOrderInput!) { cancelOrder(input: $input) { orderNo } }`;
    const cancel = (input: Record<string, unknown>) => gql<{ cancelOrder: { orderNo: string } }>(t.url, CANCEL, { input });
    const ali = t.sandbox.alitrip!;
    ali.server.faults = { ...ali.server.faults, http500Rate: 1 };
    try {
      // Each failing cancel counts toward the circuit (CIRCUIT_THRESHOLD, 5 by default).
      for (let i = 0; i < 6; i++) await cancel({ supplier: "ALITRIP", orderNo: `ALI-CANCEL-OK-open${i}`, subChannel: "corp001" });
      const open = await cancel({ supplier: "ALITRIP", orderNo: "ALI-CANCEL-OK-open9", subChannel: "corp001" });
      expect(open.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true });
      const before = ali.server.stats.total;
      const r = await cancel({ supplier: "ALITRIP", orderNo: "ALI-CANCEL-OK-nosub" });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subChannel" });
      expect(ali.server.stats.total).toBe(before);
    } finally {
      ali.server.faults = { ...ali.server.faults, http500Rate: 0 };
    }
  });
});
