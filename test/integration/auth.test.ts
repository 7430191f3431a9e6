/** Authentication, scopes and tenant isolation, over HTTP and graphql-ws. */
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { fresh } from "../helpers/atrip.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

const SECRET = "jwt-secret-for-tests-0123456789abcdef";
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    API_KEYS,
    JWT_SECRET: SECRET,
    JWT_ISSUER: "https://issuer.test",
    JWT_AUDIENCE: "gateway",
    VOID_POLL_MIN_MS: "300",
  });
});
afterAll(async () => t?.close());

async function jwt(claims: Record<string, unknown>, opts: { exp?: string | number; aud?: string; iss?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setIssuer(opts.iss ?? "https://issuer.test")
    .setAudience(opts.aud ?? "gateway")
    .setExpirationTime(opts.exp ?? "10m")
    .sign(new TextEncoder().encode(SECRET));
}

const OPERATIONS: Array<[string, string, "read" | "write"]> = [
  ["suppliers", "{ suppliers { supplier } }", "read"],
  ["voidOrder", '{ voidOrder(supplier: ATRIP, voidCode: "202611-0001") { voidCode } }', "read"],
  ["voidOrders", '{ voidOrders(orderNo: "ATR-VOID-DEPOSIT") { voidCode } }', "read"],
  ["ticketIssuanceStop", '{ ticketIssuanceStop(supplier: ATRIP, orderNo: "ATR-STOP-OK") { state } }', "read"],
  ["voidQuote", 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { orderNo } }', "write"],
  [
    "submitVoid",
    'mutation { submitVoid(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT", voidOfferId: "v_x" }) { voidCode } }',
    "write",
  ],
  ["stopTicketIssuance", 'mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "ATR-STOP-OK" }) { state } }', "write"],
  ["cancelOrder", 'mutation { cancelOrder(input: { supplier: CTT, orderNo: "CTT-CANCEL-OK" }) { orderNo } }', "write"],
];

const codeOf = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions?.code;
const supplierCalls = () => t.sandbox.atrip!.server.stats.total + t.sandbox.alitrip!.server.stats.total + t.sandbox.ctt!.server.stats.total;

describe("authentication and scopes", () => {
  it.each(OPERATIONS)("%s without a token → UNAUTHENTICATED, no supplier call", async (_name, query) => {
    const before = supplierCalls();
    expect(codeOf(await gql(t.url, query))).toBe("UNAUTHENTICATED");
    expect(supplierCalls()).toBe(before);
  });

  it.each(OPERATIONS)("%s with a wrong token → UNAUTHENTICATED (HTTP 401)", async (_name, query) => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer("not-a-real-key-at-all") },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(401);
    expect(codeOf((await res.json()) as never)).toBe("UNAUTHENTICATED");
  });

  it.each(OPERATIONS)("%s with a read-only token: queries pass, mutations → FORBIDDEN", async (_name, query, scope) => {
    const before = supplierCalls();
    const r = await gql(t.url, query, {}, bearer(KEYS.acmeRead));
    if (scope === "read") expect(r.errors).toBeUndefined();
    else {
      expect(codeOf(r)).toBe("FORBIDDEN");
      expect(supplierCalls()).toBe(before);
    }
  });

  it("checks the scope before the input: bad input without the scope is refused for the scope", async () => {
    const bad = 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "not valid!" }) { orderNo } }';
    expect(codeOf(await gql(t.url, bad))).toBe("UNAUTHENTICATED");
    expect(codeOf(await gql(t.url, bad, {}, bearer(KEYS.acmeRead)))).toBe("FORBIDDEN");
    expect(codeOf(await gql(t.url, bad, {}, bearer(KEYS.acmeWrite)))).toBe("BAD_USER_INPUT");
  });

  it("a valid JWT works, with the tenant from its claim", async () => {
    const token = await jwt({ tenant: "initech", scope: "read write" });
    const r = await gql<{ voidQuote: { orderNo: string } }>(t.url, OPERATIONS[4][1], {}, bearer(token));
    expect(r.data?.voidQuote.orderNo).toBe("ATR-VOID-DEPOSIT");
  });

  it.each([
    ["expired", async () => jwt({ tenant: "initech", scope: "read" }, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ["wrong audience", async () => jwt({ tenant: "initech", scope: "read" }, { aud: "someone-else" })],
    ["wrong issuer", async () => jwt({ tenant: "initech", scope: "read" }, { iss: "https://evil.test" })],
    ["no tenant claim", async () => jwt({ scope: "read" })],
    // The signature's first character: its last one carries 2 padding bits, so changing it may change nothing.
    [
      "wrong signature",
      async () =>
        (await jwt({ tenant: "initech", scope: "read" })).replace(
          /\.([^.])([^.]*)$/,
          (_m, c: string, rest: string) => `.${c === "A" ? "B" : "A"}${rest}`,
        ),
    ],
  ])("a JWT with %s → UNAUTHENTICATED", async (_what, make) => {
    const r = await gql(t.url, OPERATIONS[0][1], {}, bearer(await make()));
    expect(codeOf(r)).toBe("UNAUTHENTICATED");
  });

  it("a websocket with a bad or missing token is closed with 4403", async () => {
    for (const params of [{}, bearer("nope-nope-nope-nope"), { authorization: "Basic abc" }]) {
      const ws = new WebSocket(t.wsUrl, "graphql-transport-ws");
      const code = await new Promise<number>((resolve) => {
        ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: params })));
        ws.on("close", (c) => resolve(c));
      });
      expect(code).toBe(4403);
    }
  });

  it("a websocket whose JWT expires is closed", async () => {
    const token = await jwt({ tenant: "initech", scope: "read" }, { exp: Math.floor(Date.now() / 1000) + 2 });
    const ws = new WebSocket(t.wsUrl, "graphql-transport-ws");
    const events: string[] = [];
    const code = await new Promise<number>((resolve) => {
      ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: bearer(token) })));
      ws.on("message", (m) => events.push(JSON.parse(String(m)).type));
      ws.on("close", (c) => resolve(c));
    });
    expect(events).toContain("connection_ack");
    expect(code).toBe(4403);
  });

  it("subscriptions need the read scope", async () => {
    const token = await jwt({ tenant: "initech", scope: "write" });
    const client = wsClient(t.wsUrl, bearer(token));
    const r = await wsRequest(client, VOID_EVENTS, {});
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    await client.dispose();
  });
});

describe("tenant isolation", () => {
  it("another tenant's void, order, history, stop and events are invisible", async () => {
    const acme = bearer(KEYS.acmeWrite);
    const globex = bearer(KEYS.globexWrite);
    const gClient = wsClient(t.wsUrl, globex);
    const aClient = wsClient(t.wsUrl, acme);
    const globexAll = collect<EventOut>(gClient, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    const acmeAll = collect<EventOut>(aClient, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 150));

    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const voidCode = await quoteAndSubmit(t.url, orderNo, acme);
    const stopOrder = fresh("ATR-STOP-OK");
    await gql(t.url, `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${stopOrder}" }) { state } }`, {}, acme);
    await acmeAll.waitUntil((e) => e.voidCode === voidCode && e.isFinal, 20_000);

    const q = (query: string) => gql<Record<string, unknown>>(t.url, query, {}, globex);
    expect((await q(`{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { voidCode } }`)).data?.voidOrder).toBeNull();
    expect((await q(`{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}", refresh: true) { voidCode } }`)).data?.voidOrder).toBeNull();
    expect((await q(`{ voidOrders(orderNo: "${orderNo}") { voidCode } }`)).data?.voidOrders).toEqual([]);
    expect((await q(`{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${stopOrder}") { state } }`)).data?.ticketIssuanceStop).toBeNull();

    const replay = collect<EventOut>(gClient, VOID_EVENTS, { after: "0" }, (d) => d.voidStatusChanged as EventOut);
    const byCode = collect<EventOut>(gClient, VOID_EVENTS, { voidCode }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 500));
    expect(globexAll.items).toEqual([]);
    expect(replay.items.filter((e) => e.voidCode === voidCode)).toEqual([]);
    expect(byCode.items).toEqual([]);
    expect(acmeAll.items.filter((e) => e.voidCode === voidCode).map((e) => e.status)).toEqual([
      "SUPPLIER_PROCESSING",
      "AIRLINE_PROCESSING",
      "REFUNDED",
    ]);
    // acme still sees its own record, with the full history.
    const own = await gql<{ voidOrder: { history: unknown[] } }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id } } }`,
      {},
      acme,
    );
    expect(own.data?.voidOrder.history).toHaveLength(3);
    for (const s of [globexAll, acmeAll, replay, byCode]) s.stop();
    await gClient.dispose();
    await aClient.dispose();
  });
});
