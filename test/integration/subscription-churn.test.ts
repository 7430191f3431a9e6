/**
 * Subscribers that leave, by every way there is (issue 11): the socket closed with 1000, the
 * client's `complete`, a server-side close after a protocol error (4400), JWT expiry (4403), a
 * duplicate subscription id (4409) and a connection cut without a close frame. Each must
 * release its feed registration, watch marks and counts at once; the gauges return to their
 * baseline and the heap to within noise, and the gateway still answers.
 */
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { API_KEYS, KEYS } from "../helpers/auth.js";
import { eventually } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";
import { rawClient, type RawClient } from "../helpers/raw-ws.js";

const SECRET = "jwt-secret-for-churn-tests-0123456789";
const PER_WAY = 60;
const WAYS = ["close1000", "complete", "protocolError", "jwtExpiry", "duplicateId", "cutOff"] as const;
type Way = (typeof WAYS)[number];

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ API_KEYS, JWT_SECRET: SECRET, VOID_POLL_WATCHED_MS: "60000" });
});
afterAll(async () => t?.close());

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(t.url.replace("/graphql", "/metrics"))).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? NaN);
}

const subscription = (i: number) =>
  i % 3 === 0
    ? { query: "subscription { voidStatusChanged { id status } }" }
    : i % 3 === 1
      ? { query: "subscription S($c: String) { voidStatusChanged(voidCode: $c) { id } }", variables: { c: `CHURN-V-${i}` } }
      : { query: "subscription S($o: String) { ticketIssuanceStopChanged(orderNo: $o) { state } }", variables: { o: `CHURN-O-${i}` } };

async function open(way: Way, i: number): Promise<RawClient> {
  const token =
    way === "jwtExpiry"
      ? await new SignJWT({ tenant: "acme", scope: "read" })
          .setProtectedHeader({ alg: "HS256" })
          .setExpirationTime(Math.floor(Date.now() / 1000) + 4)
          .sign(new TextEncoder().encode(SECRET))
      : KEYS.acmeRead;
  const c = await rawClient(t.wsUrl, { authorization: `Bearer ${token}` });
  const s = subscription(i);
  c.subscribe("1", s.query, s.variables);
  return c;
}

function leave(way: Way, c: RawClient): void {
  if (way === "close1000") c.ws.close(1000);
  else if (way === "complete") c.send({ id: "1", type: "complete" });
  else if (way === "protocolError") c.send("this is not a graphql-transport-ws message");
  else if (way === "duplicateId") c.subscribe("1", subscription(0).query);
  else if (way === "cutOff") c.ws.terminate();
  // jwtExpiry: the gateway closes the socket when the token expires.
}

/** Opens PER_WAY clients for each way, waits until all are subscribed, makes them leave. */
async function churn(perWay: number): Promise<{ clients: Map<Way, RawClient[]>; codes: Map<Way, number[]> }> {
  const subs = t.gw.services.tracking.subscriptions;
  const before = subs.active;
  const clients = new Map<Way, RawClient[]>();
  for (const way of WAYS) clients.set(way, await Promise.all(Array.from({ length: perWay }, (_, i) => open(way, i))));
  await eventually(() => subs.active === before + WAYS.length * perWay, 15_000);
  for (const [way, list] of clients) for (const c of list) leave(way, c);
  const codes = new Map<Way, number[]>();
  for (const [way, list] of clients) if (way !== "complete") codes.set(way, await Promise.all(list.map((c) => c.closed)));
  return { clients, codes };
}

it("every way of leaving releases what the subscriber held; gauges back to baseline, heap within noise", async () => {
  const { tracking } = t.gw.services;
  // Warm-up round (code paths, pools), then the baseline.
  const warm = await churn(5);
  for (const c of warm.clients.get("complete")!) c.ws.close(1000);
  await eventually(async () => tracking.subscriptions.active === 0 && (await gauge("gateway_websocket_connections")) === 0, 15_000);
  const heapBefore = heapMb();

  const { clients, codes } = await churn(PER_WAY);
  expect(new Set(codes.get("close1000"))).toEqual(new Set([1000]));
  expect(new Set(codes.get("protocolError"))).toEqual(new Set([4400]));
  expect(new Set(codes.get("jwtExpiry"))).toEqual(new Set([4403]));
  expect(new Set(codes.get("duplicateId"))).toEqual(new Set([4409]));
  expect(new Set(codes.get("cutOff"))).toEqual(new Set([1006]));

  // Every subscription is gone, while the sockets that only sent `complete` are still open.
  await eventually(() => tracking.subscriptions.active === 0, 10_000);
  expect(tracking.feed.listeners).toBe(0);
  expect(tracking.subscriptions.watched).toBe(0);
  expect(await gauge("gateway_active_subscriptions")).toBe(0);
  expect(await gauge("gateway_websocket_connections")).toBe(PER_WAY);
  for (const c of clients.get("complete")!) c.ws.close(1000);
  await eventually(async () => (await gauge("gateway_websocket_connections")) === 0, 10_000);

  const heapAfter = heapMb();
  expect(heapAfter - heapBefore).toBeLessThan(12);
  // And it still answers at once.
  const r = await gql<{ suppliers: unknown[] }>(t.url, "{ suppliers { supplier } }", {}, { authorization: `Bearer ${KEYS.acmeRead}` });
  expect(r.data?.suppliers).toHaveLength(3);
}, 90_000);
