/**
 * Tracing end to end: the built gateway as a process with OTEL_* pointing at a real OTLP/HTTP
 * receiver run by the test (test/helpers/otlp-receiver.ts, decoding the exporter's default
 * http/protobuf), against its embedded simulators, driven by real clients.
 *
 * - A voidQuote sent with a client `traceparent` is one trace: the HTTP server span, the
 *   GraphQL operation, the supplier operation and the undici client call; the simulator
 *   received a `traceparent` of that trace; log lines carry its trace_id.
 * - A change found by a webhook can be followed: intake → confirmation (with its supplier
 *   call) → transition → delivery to the connected subscriber.
 * - CTT_TRACE_PROPAGATION=false: CTT's simulator receives no trace header (Alitrip's does),
 *   and the CTT call is still recorded.
 * - No configured secret, API key, JWT, webhook token or request variable appears anywhere in
 *   what was exported.
 * - With tracing off, no OpenTelemetry module is loaded at all.
 * - Two instances on PostgreSQL and Redis: the webhook found on one is delivered by both, each
 *   delivery span a child of the one transition; pg and ioredis spans are in the trace
 *   (skipped, with a printed reason, without TEST_DATABASE_URL / TEST_REDIS_URL).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SignJWT } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { CREDS, fresh } from "../helpers/atrip.js";
import { BUNDLE_DIR, withBundledModules } from "../helpers/bundle.js";
import { wsClient } from "../helpers/clients.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { SPAN_KIND, startOtlpReceiver, stringsOf, type OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver.js";
import { simRequests, startedLogLine, startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { DATABASE_URL, REDIS_URL, skipReason } from "../helpers/store.js";
import { collect } from "../helpers/subscribe.js";

const SECRETS = {
  ATRIP_CLIENT_SECRET: "atrip-secret-Tq8xW2",
  ALITRIP_APP_SECRET: "alitrip-secret-Tp4mN7",
  ALITRIP_SESSION: "alitrip-session-Th3kL9",
  CTT_SIGN_KEY: "ctt-sign-key-Tr6tY1",
  JWT_SECRET: "jwt-secret-Tv5bN8-0123456789abcdefghij",
  ATRIP_WEBHOOK_TOKEN: "webhook-token-Tk2jD4abcdef",
};
const KEY = "api-key-Te7uI3-0123456789";
const AUTH = { authorization: `Bearer ${KEY}` };
/** Sent as a GraphQL variable and in a GET query string: a request's content must never be exported. */
const VARIABLE_MARKER = "variable-marker-Tx7cV2";
/** Webhooks are the only source of changes. */
const NO_POLLING = { VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000", VOID_POLL_WATCHED_MS: "3600000" };

const QUOTE = `mutation Q($orderNo: String!) { voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) { voidOfferId } }`;

const newTraceparent = () => {
  const traceId = randomBytes(16).toString("hex");
  const parent = randomBytes(8).toString("hex");
  return { traceId, parent, header: `00-${traceId}-${parent}-01` };
};
const inTrace = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId);
const byId = (spans: ReceivedSpan[], id: string) => spans.find((s) => s.spanId === id);
/** A span's ancestors in the same trace, nearest first (as far as they were received). */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (let p = byId(spans, span.parentSpanId); p; p = byId(spans, p.parentSpanId)) out.push(p);
  return out;
}

let receiver: OtlpReceiver;
let gw: GatewayProcess;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  gw = await startGatewayProcess({
    ...SECRETS,
    ...NO_POLLING,
    API_KEYS: JSON.stringify([{ key: KEY, tenant: "acme", scopes: ["read", "write"] }]),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: "100",
    OTEL_SERVICE_NAME: "gateway-under-test",
    CTT_TRACE_PROPAGATION: "false",
    LOG_LEVEL: "info",
  });
});
afterAll(async () => {
  await gw?.stop();
  await receiver?.close();
});

describe("tracing on (OTLP over HTTP, protobuf)", () => {
  it("runs from the built modules, not the bundle, so the instrumentations patch what loads", async () => {
    expect(await startedLogLine(gw)).toMatchObject({ bundled: false });
  });

  it("continues a client's traceparent through the server span, the operation, the supplier operation and the undici call, out to the supplier", async () => {
    const tp = newTraceparent();
    const r = await gql(gw.url, QUOTE, { orderNo: fresh("ATR-VOID-DEPOSIT") }, { ...AUTH, traceparent: tp.header });
    expect(r.errors).toBeUndefined();
    const all = await receiver.waitFor((spans) => {
      const t = inTrace(spans, tp.traceId);
      return (
        t.some((s) => s.kind === SPAN_KIND.SERVER) &&
        t.some((s) => s.kind === SPAN_KIND.CLIENT) &&
        t.some((s) => s.name.startsWith("supplier "))
      );
    });
    const trace = inTrace(all, tp.traceId);
    const server = trace.find((s) => s.kind === SPAN_KIND.SERVER)!;
    expect(server).toMatchObject({ name: "POST /graphql", parentSpanId: tp.parent });
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/graphql",
      "url.path": "/graphql",
      "gateway.tenant": "acme",
    });
    expect(Number(server.attributes["http.response.status_code"])).toBe(200);
    const operation = trace.find((s) => s.scope === "@opentelemetry/instrumentation-graphql" && s.name === "mutation Q")!;
    expect(operation.attributes).toMatchObject({ "graphql.operation.type": "mutation", "graphql.operation.name": "Q" });
    const supplier = trace.find((s) => s.name === "supplier ATRIP voidQuotation.do")!;
    expect(supplier.attributes).toMatchObject({ "gateway.supplier": "ATRIP", "gateway.supplier.operation": "voidQuotation.do" });
    expect(ancestors(trace, supplier).map((s) => s.spanId)).toEqual(expect.arrayContaining([operation.spanId, server.spanId]));
    const client = trace.find((s) => s.kind === SPAN_KIND.CLIENT)!;
    expect(client.scope).toBe("@opentelemetry/instrumentation-undici");
    expect(client.parentSpanId).toBe(supplier.spanId);
    expect(client.attributes).toMatchObject({ "http.request.method": "POST", "url.path": "/voidQuotation.do" });
    expect(Number(client.attributes["http.response.status_code"])).toBe(200);
    expect(server.resource["service.name"]).toBe("gateway-under-test");

    // The simulator was sent the trace context of the undici call, in this trace.
    const sent = (await simRequests(gw.sims.ATRIP)).filter(
      (q) => q.operation === "voidQuotation.do" && q.traceparent?.includes(tp.traceId),
    );
    expect(sent.map((q) => q.traceparent)).toEqual([`00-${tp.traceId}-${client.spanId}-01`]);
    // Log lines written inside the trace carry it.
    expect(gw.output()).toMatch(new RegExp(`"trace_id":"${tp.traceId}","span_id":"[0-9a-f]{16}"`));
  });

  it("records a supplier's refusal with the gateway's code and the supplier's", async () => {
    const tp = newTraceparent();
    const r = await gql(gw.url, QUOTE, { orderNo: "ATR-TICKET-USED" }, { ...AUTH, traceparent: tp.header });
    expect(r.errors?.[0]?.extensions?.code).toBe("TICKET_ALREADY_USED");
    const all = await receiver.waitFor(
      (spans) =>
        inTrace(spans, tp.traceId).some((s) => s.name === "mutation Q") &&
        inTrace(spans, tp.traceId).some((s) => s.name.startsWith("supplier ")),
    );
    const trace = inTrace(all, tp.traceId);
    const supplier = trace.find((s) => s.name === "supplier ATRIP voidQuotation.do")!;
    expect(supplier.attributes).toMatchObject({
      "gateway.error.code": "TICKET_ALREADY_USED",
      "gateway.supplier.code": "820",
      "error.type": "TICKET_ALREADY_USED",
    });
    expect(supplier.status.code).toBe(2);
    expect(trace.find((s) => s.name === "mutation Q")!.attributes["gateway.error.code"]).toBe("TICKET_ALREADY_USED");
  });

  it("follows a change found by a webhook: intake → confirmation → transition → delivery to the subscriber", async () => {
    const ws = wsClient(gw.wsUrl, AUTH);
    try {
      const orderNo = fresh("ATR-VOID-DEPOSIT");
      const sub = collect<EventOut>(ws, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
      await new Promise((r) => setTimeout(r, 300));
      const voidCode = await quoteAndSubmit(gw.url, orderNo, AUTH);
      const refunded = await sub.waitUntil((e) => e.status === "REFUNDED", 20_000);
      expect(refunded.source).toBe("WEBHOOK");

      const isDelivery = (s: ReceivedSpan) => s.name === "events.deliver" && s.attributes["gateway.event.id"] === refunded.id;
      const all = await receiver.waitFor((spans) => {
        const d = spans.find(isDelivery);
        return d !== undefined && ancestors(spans, d).some((s) => s.kind === SPAN_KIND.SERVER);
      });
      const delivery = all.find(isDelivery)!;
      const trace = inTrace(all, delivery.traceId);
      expect(delivery.kind).toBe(SPAN_KIND.CONSUMER);
      expect(delivery.attributes).toMatchObject({ "gateway.tenant": "acme", "gateway.tracked.kind": "void", "gateway.subscribers": 1n });
      const [transition, confirm, intake] = ancestors(trace, delivery);
      expect(transition.name).toBe("tracked.transition");
      // The status it moved from is the one the client was told; on a busy machine the simulator
      // (a step per 100 ms here) can pass AIRLINE_PROCESSING before a confirmation reads it.
      expect(refunded.previousStatus).not.toBeNull();
      expect(transition.attributes).toMatchObject({
        "gateway.tracked.ref": voidCode,
        "gateway.tracked.status": "REFUNDED",
        "gateway.tracked.previous_status": refunded.previousStatus,
        "gateway.tracked.source": "WEBHOOK",
        "gateway.tracked.outcome": "moved",
        "gateway.tenant": "acme",
      });
      expect(confirm.name).toBe("webhook.confirm");
      expect(confirm.attributes).toMatchObject({ "gateway.supplier": "ATRIP", "gateway.tracked.ref": voidCode });
      expect(intake).toMatchObject({ kind: SPAN_KIND.SERVER, name: "POST /webhooks/:supplier/:token" });
      expect(intake.attributes).toMatchObject({
        "url.path": "/webhooks/atrip/[redacted]",
        "http.route": "/webhooks/:supplier/:token",
        "gateway.supplier": "ATRIP",
      });
      // The confirmation asked the supplier, and that call is in the trace too.
      const ask = trace.find((s) => s.parentSpanId === confirm.spanId && s.name === "supplier ATRIP queryVoidOrders.do")!;
      expect(trace.some((s) => s.parentSpanId === ask.spanId && s.kind === SPAN_KIND.CLIENT)).toBe(true);
      // The submission's first event is delivered under the request that made it.
      const first = sub.items.find((e) => e.source === "SUBMIT")!;
      const firstDelivery = await receiver.waitFor((spans) =>
        spans.some((s) => s.name === "events.deliver" && s.attributes["gateway.event.id"] === first.id),
      );
      const d1 = firstDelivery.find((s) => s.name === "events.deliver" && s.attributes["gateway.event.id"] === first.id)!;
      const submitTrace = inTrace(receiver.spans, d1.traceId);
      expect(byId(submitTrace, d1.parentSpanId)?.attributes["gateway.tracked.source"]).toBe("SUBMIT");
      sub.stop();
    } finally {
      await ws.dispose();
    }
  });

  it("sends no trace header to a supplier whose switch is off (CTT), and still records its call", async () => {
    const ctt = newTraceparent();
    const ali = newTraceparent();
    const c = await gql(
      gw.url,
      `mutation C($o: String!) { cancelOrder(input: { supplier: CTT, orderNo: $o, passengerIds: ["1001"], reason: "plans changed" }) { orderNo } }`,
      { o: fresh("CTT-CANCEL-OK") },
      { ...AUTH, traceparent: ctt.header },
    );
    expect(c.errors).toBeUndefined();
    const a = await gql(
      gw.url,
      `mutation A($o: String!) { cancelOrder(input: { supplier: ALITRIP, orderNo: $o, subChannel: "corp001" }) { orderNo } }`,
      { o: fresh("ALI-CANCEL-OK") },
      { ...AUTH, traceparent: ali.header },
    );
    expect(a.errors).toBeUndefined();

    const cttRequests = await simRequests(gw.sims.CTT);
    expect(cttRequests.length).toBeGreaterThan(0);
    expect(cttRequests.filter((q) => q.traceparent !== undefined)).toEqual([]);
    expect((await simRequests(gw.sims.ALITRIP)).some((q) => q.traceparent?.startsWith(`00-${ali.traceId}-`))).toBe(true);

    const all = await receiver.waitFor((spans) => inTrace(spans, ctt.traceId).some((s) => s.kind === SPAN_KIND.CLIENT));
    const trace = inTrace(all, ctt.traceId);
    const supplier = trace.find((s) => s.name === "supplier CTT api/order/cancel")!;
    expect(trace.find((s) => s.kind === SPAN_KIND.CLIENT)?.parentSpanId).toBe(supplier.spanId);
  });

  it("exports no secret, API key, JWT, webhook token or request variable in any span", async () => {
    const jwt = await new SignJWT({ tenant: "acme", scope: "read write" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRETS.JWT_SECRET));
    const tp = newTraceparent();
    await gql(gw.url, QUOTE, { orderNo: `ATR-VOID-DEPOSIT-${VARIABLE_MARKER}` }, { ...AUTH, traceparent: tp.header });
    await gql(gw.url, `{ suppliers { supplier } }`, {}, { authorization: `Bearer ${jwt}` });
    await gql(gw.url, `{ suppliers { supplier } }`, {}, { authorization: `Bearer ${KEY}x` });
    const get = new URL(gw.url);
    get.searchParams.set("query", "query G($o: String!) { voidOrders(orderNo: $o) { voidCode } }");
    get.searchParams.set("variables", JSON.stringify({ o: VARIABLE_MARKER }));
    await fetch(get, { headers: { ...AUTH, "apollo-require-preflight": "1" } });
    const hook = gw.url.replace("/graphql", `/webhooks/atrip/${SECRETS.ATRIP_WEBHOOK_TOKEN}`);
    await fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body: "{broken" });
    await fetch(gw.url.replace("/graphql", `/webhooks/atrip/${SECRETS.ATRIP_WEBHOOK_TOKEN}x`), { method: "POST", body: "{}" });
    await receiver.waitFor(
      (spans) => spans.filter((s) => s.kind === SPAN_KIND.SERVER && String(s.attributes["url.path"]).startsWith("/webhooks/")).length >= 2,
    );
    // Stopping flushes what is still buffered.
    await gw.stop("SIGTERM");

    const spans = receiver.spans;
    expect(spans.length).toBeGreaterThan(30);
    expect(receiver.contentTypes.every((t) => t === "application/x-protobuf")).toBe(true);
    const get2 = spans.find((s) => s.kind === SPAN_KIND.SERVER && s.attributes["url.query"] !== undefined)!;
    expect(get2.attributes["url.query"]).toBe("query=REDACTED&variables=REDACTED");
    const values = spans.flatMap(stringsOf);
    for (const [name, value] of Object.entries({ ...SECRETS, API_KEY: KEY, JWT: jwt, VARIABLE: VARIABLE_MARKER })) {
      expect(
        values.filter((v) => v.includes(value)),
        `${name} appeared in an exported span`,
      ).toEqual([]);
    }
  });
});

describe("tracing off", () => {
  it("loads no OpenTelemetry module, and log lines carry no trace ids", async () => {
    // A module-resolution hook, registered before the gateway starts, writes down every module
    // imported by URL: what the gateway's ESM code imports, packages included.
    const dir = mkdtempSync(join(tmpdir(), "tracing-off-"));
    const seen = join(dir, "resolved.txt");
    writeFileSync(seen, "");
    writeFileSync(
      join(dir, "hooks.mjs"),
      `import { appendFileSync } from "node:fs";
       export async function resolve(specifier, context, next) {
         const r = await next(specifier, context);
         appendFileSync(${JSON.stringify(seen)}, r.url + "\\n");
         return r;
       }`,
    );
    writeFileSync(
      join(dir, "register.mjs"),
      `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});`,
    );
    const off = await startGatewayProcess({ LOG_LEVEL: "info" }, 30_000, ["--import", pathToFileURL(join(dir, "register.mjs")).href]);
    try {
      const r = await gql(off.url, QUOTE, { orderNo: fresh("ATR-VOID-DEPOSIT") }, { traceparent: newTraceparent().header });
      expect(r.errors).toBeUndefined();
    } finally {
      await off.stop();
    }
    // The gateway runs from its bundle: a file of it counts as the modules in it.
    const resolved = readFileSync(seen, "utf8").split("\n").filter(Boolean);
    expect(resolved.some((u) => u.startsWith(pathToFileURL(BUNDLE_DIR).href))).toBe(true);
    const urls = withBundledModules(resolved.filter((u) => u.startsWith("file:")).map((u) => fileURLToPath(u))).map(
      (f) => pathToFileURL(f).href,
    );
    // The hook sees package imports (so it would see these)...
    expect(urls.some((u) => u.includes("/node_modules/pino/"))).toBe(true);
    expect(urls.some((u) => u.includes("/node_modules/graphql/"))).toBe(true);
    expect(urls.some((u) => u.endsWith("/dist/src/telemetry/switch.js"))).toBe(true);
    // ...and nothing of the SDK, its instrumentations or the loader hook was imported. (The
    // bundle shows what the hook cannot see of CommonJS: prom-client requires the no-op
    // @opentelemetry/api, its own dependency, for exemplars; the API does nothing without the SDK.)
    const sdk = urls.filter((u) => !u.includes("/node_modules/@opentelemetry/api/"));
    expect(sdk.filter((u) => /@opentelemetry|import-in-the-middle|require-in-the-middle|\/telemetry\/sdk\.js/.test(u))).toEqual([]);
    expect(off.output()).toContain('"msg":"supplier call"');
    expect(off.output()).not.toContain("trace_id");
  });
});

const scaleOutSkip = !DATABASE_URL
  ? skipReason("tracing across instances", "TEST_DATABASE_URL")
  : !REDIS_URL
    ? skipReason("tracing across instances", "TEST_REDIS_URL")
    : false;

describe.skipIf(scaleOutSkip)("tracing across two instances (PostgreSQL + Redis)", () => {
  const running: GatewayProcess[] = [];
  const schema = `trace_${randomBytes(5).toString("hex")}`;
  let sim: AtripSimulator | undefined;
  let rx: OtlpReceiver | undefined;
  afterAll(async () => {
    await Promise.all(running.map((g) => g.stop()));
    await sim?.close();
    await rx?.close();
    if (running.length) {
      const db = new pg.Client({ connectionString: DATABASE_URL });
      await db.connect();
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => db.end());
    }
  });

  it("a webhook found on one instance is delivered by both, each delivery a child of the one transition; pg and ioredis are in the trace", async () => {
    rx = await startOtlpReceiver();
    const token = randomBytes(16).toString("hex");
    // The supplier's clock stands still: the void moves only when the test advances it.
    sim = await AtripSimulator.start({ ...CREDS, timeScale: 0.001, timing: { voidStepMs: 60_000 } });
    const env = {
      ...NO_POLLING,
      DATABASE_URL: DATABASE_URL!,
      DATABASE_SCHEMA: schema,
      REDIS_URL: REDIS_URL!,
      REDIS_PREFIX: `trace-${randomBytes(4).toString("hex")}:`,
      ATRIP_BASE_URL: sim.url,
      ATRIP_CLIENT_ID: CREDS.clientId,
      ATRIP_CLIENT_SECRET: CREDS.clientSecret,
      ATRIP_WEBHOOK_TOKEN: token,
      API_KEYS: JSON.stringify([{ key: KEY, tenant: "acme", scopes: ["read", "write"] }]),
      SCHEDULER_TICK_MS: "100",
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    const [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    running.push(a, b);
    const clients = [wsClient(a.wsUrl, AUTH), wsClient(b.wsUrl, AUTH)];
    try {
      const subs = clients.map((c) => collect<EventOut>(c, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut));
      await new Promise((r) => setTimeout(r, 500));
      const voidCode = await quoteAndSubmit(a.url, `ATR-VOID-DEPOSIT-${randomBytes(4).toString("hex")}`, AUTH);
      sim.clock.advance(60_000);
      sim.webhookUrl = b.url.replace("/graphql", `/webhooks/atrip/${token}`);
      sim.state.announceVoid(voidCode);
      const events = await Promise.all(
        subs.map((s) => s.waitUntil((e) => e.voidCode === voidCode && e.status === "AIRLINE_PROCESSING", 20_000)),
      );
      expect(events.map((e) => e.source)).toEqual(["WEBHOOK", "WEBHOOK"]);

      const isDelivery = (s: ReceivedSpan) => s.name === "events.deliver" && s.attributes["gateway.event.id"] === events[0].id;
      const pidOf = (s: ReceivedSpan) => Number(s.resource["process.pid"]);
      const all = await rx.waitFor(
        (spans) =>
          spans.filter(isDelivery).length === 2 &&
          spans.some((s) => s.name === "webhook.confirm" && s.attributes["gateway.tracked.ref"] === voidCode),
      );
      const deliveries = all.filter(isDelivery);
      expect(deliveries.map(pidOf).sort()).toEqual([a.child.pid, b.child.pid].sort());
      const transition = byId(all, deliveries[0].parentSpanId)!;
      expect(deliveries[1].parentSpanId).toBe(transition.spanId);
      expect(transition.attributes).toMatchObject({
        "gateway.tracked.ref": voidCode,
        "gateway.tracked.source": "WEBHOOK",
        "gateway.tracked.status": "AIRLINE_PROCESSING",
      });
      const trace = inTrace(all, transition.traceId);
      const [confirm, intake] = ancestors(trace, transition);
      expect(confirm.name).toBe("webhook.confirm");
      expect(intake).toMatchObject({ kind: SPAN_KIND.SERVER, name: "POST /webhooks/:supplier/:token" });
      // The webhook reached b; its inbox row is shared, so either instance may confirm it and
      // record the transition (the one trace holds both sides either way).
      expect(pidOf(intake)).toBe(b.child.pid);
      expect([a.child.pid, b.child.pid]).toContain(pidOf(transition));
      // The store and the pub/sub, seen by their instrumentations inside the trace.
      await rx.waitFor((spans) => inTrace(spans, transition.traceId).some((s) => s.scope === "@opentelemetry/instrumentation-ioredis"));
      const full = inTrace(rx.spans, transition.traceId);
      expect(
        full.some(
          (s) => s.attributes["db.system.name"] === "postgresql" && String(s.attributes["db.query.text"]).includes("tracked_events"),
        ),
      ).toBe(true);
      expect(full.some((s) => s.attributes["db.system.name"] === "redis" && s.attributes["db.operation.name"] === "publish")).toBe(true);
      expect(rx.spans.flatMap(stringsOf).filter((v) => v.includes(token) || v.includes(KEY))).toEqual([]);
      subs.forEach((s) => s.stop());
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  }, 90_000);
});
