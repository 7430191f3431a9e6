/**
 * Hardening issue, items 2, 3 and 5, with credentials configured: authentication before any
 * work over HTTP and the websocket, the websocket message cap, and JWT expiry on long-lived
 * sockets.
 */
import { SignJWT } from "jose";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

const SECRET = "jwt-secret-for-tests-0123456789abcdef";
const MAX_BODY = 102_400;
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    API_KEYS,
    JWT_SECRET: SECRET,
    CORS_ORIGINS: "https://app.example",
    GRAPHQL_MAX_BODY_BYTES: String(MAX_BODY),
    // The large document below must reach validation when authenticated (its cost is what an
    // unauthenticated one must not get): above its tokens, whatever GRAPHQL_MAX_TOKENS's default.
    GRAPHQL_MAX_TOKENS: "1000000",
  });
});
afterAll(async () => t?.close());

const base = () => t.url.replace("/graphql", "");
const TRIVIAL = "{ suppliers { supplier } }";
const INTROSPECTION = "{ __schema { queryType { name } types { name } } }";
/** A document just under the body cap, costly to validate (the same field, over and over). */
const LARGE = `{ ${"suppliers { supplier operations } ".repeat(Math.floor((MAX_BODY - 200) / 36))}}`;

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(t.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal: AbortSignal.timeout(10_000) });

async function jwt(exp: number, claims: Record<string, unknown> = { tenant: "initech", scope: "read" }): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));
}

type Socket = { ws: WebSocket; types: string[]; closed: Promise<{ code: number; at: number }> };

/** A raw graphql-transport-ws socket: every message type received, and how it closed. */
function socket(): Promise<Socket> {
  const ws = new WebSocket(t.wsUrl, "graphql-transport-ws");
  const types: string[] = [];
  ws.on("message", (m) => types.push(JSON.parse(String(m)).type));
  const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on("close", (code) => resolve({ code, at: Date.now() })));
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, types, closed }));
    ws.once("error", reject);
  });
}

/** Sends connection_init and resolves on the ack. */
async function acked(params: Record<string, unknown>): Promise<Socket> {
  const s = await socket();
  const ack = new Promise<void>((resolve, reject) => {
    s.ws.on("message", (m) => JSON.parse(String(m)).type === "connection_ack" && resolve());
    void s.closed.then(({ code }) => reject(new Error(`closed with ${code} before the ack`)));
  });
  s.ws.send(JSON.stringify({ type: "connection_init", payload: params }));
  await ack;
  return s;
}

async function median(n: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await f();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

const codeOf = (body: unknown) => (body as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code;

describe("authentication before any work (hardening item 3)", () => {
  it("refuses a request without a credential with 401 before its body is parsed", async () => {
    for (const [body, headers] of [
      [JSON.stringify({ query: INTROSPECTION }), {}],
      [JSON.stringify({ query: TRIVIAL }), bearer("not-a-real-key-at-all")],
      [JSON.stringify({ query: TRIVIAL }), { authorization: "Basic abc" }],
      // Not JSON, and not GraphQL: a 401, not a 400, because neither was looked at.
      ['{"query": "{ suppliers', {}],
      [JSON.stringify({ query: "{ suppliers" }), {}],
    ] as Array<[string, Record<string, string>]>) {
      const res = await post(body, { origin: "https://app.example", ...headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      // CORS headers too, so a browser can read the 401.
      expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(res.headers.get("x-request-id")).toBeTruthy();
      const json = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(json).toEqual({ errors: [{ message: expect.stringMatching(/^Not authenticated/), extensions: { code: "UNAUTHENTICATED" } }] });
    }
    const get = await fetch(`${t.url}?query=${encodeURIComponent(INTROSPECTION)}`, { headers: { "apollo-require-preflight": "true" } });
    expect(get.status).toBe(401);
    const metrics = await (await fetch(`${base()}/metrics`)).text();
    expect(metrics).toMatch(/gateway_graphql_operations_total\{operation="unknown",outcome="UNAUTHENTICATED"\} 6\n/);
  });

  it("two Authorization headers are refused, whichever comes first", async () => {
    for (const order of [
      [`Bearer ${KEYS.acmeRead}`, "Bearer not-a-key"],
      ["Bearer not-a-key", `Bearer ${KEYS.acmeRead}`],
      [`Bearer ${KEYS.acmeRead}`, `Bearer ${KEYS.acmeRead}`],
    ]) {
      const res = await request(t.url, {
        method: "POST",
        headers: ["content-type", "application/json", "authorization", order[0], "Authorization", order[1]],
        body: JSON.stringify({ query: TRIVIAL }),
      });
      expect(res.statusCode).toBe(401);
      expect(((await res.body.json()) as { errors: Array<{ message: string }> }).errors[0].message).toMatch(/one Authorization header/);
    }
  });

  it("introspection needs a credential; with one it works", async () => {
    const res = await post(JSON.stringify({ query: INTROSPECTION }), bearer(KEYS.acmeRead));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { __schema: { queryType: { name: string } } } }).data.__schema.queryType.name).toBe("Query");
  });

  it("keeps the Sandbox landing page, CORS preflights and CSRF prevention", async () => {
    const page = await fetch(t.url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const preflight = await fetch(t.url, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    // With a valid credential, Apollo's CSRF prevention still refuses simple requests.
    const simple = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "text/plain", ...bearer(KEYS.acmeRead) },
      body: JSON.stringify({ query: TRIVIAL }),
    });
    expect(simple.status).toBe(400);
    const get = await fetch(`${t.url}?query=${encodeURIComponent(TRIVIAL)}`, { headers: bearer(KEYS.acmeRead) });
    expect(get.status).toBe(400);
    const preflighted = await fetch(`${t.url}?query=${encodeURIComponent(TRIVIAL)}`, {
      headers: { "apollo-require-preflight": "true", ...bearer(KEYS.acmeRead) },
    });
    expect(preflighted.status).toBe(200);
  });

  it("answers an unauthenticated large document about as fast as an authenticated trivial query", async () => {
    expect(LARGE.length).toBeGreaterThan(MAX_BODY * 0.9);
    const large = JSON.stringify({ query: LARGE });
    const trivial = JSON.stringify({ query: TRIVIAL });
    // Authenticated, the large document is parsed and validated (and refused, over the cost limit).
    const validated = await post(large, bearer(KEYS.acmeRead));
    expect(codeOf(await validated.json())).toBe("GRAPHQL_VALIDATION_FAILED");
    for (let i = 0; i < 5; i++) {
      await (await post(large)).text();
      await (await post(trivial, bearer(KEYS.acmeRead))).text();
    }
    const refused = await median(15, async () => {
      const res = await post(large);
      expect(res.status).toBe(401);
      await res.text();
    });
    const served = await median(15, async () => {
      const res = await post(trivial, bearer(KEYS.acmeRead));
      expect(res.status).toBe(200);
      await res.text();
    });
    expect(refused).toBeLessThanOrEqual(3 * served);
  });

  it("a websocket gets nothing but connection_init looked at before it is accepted", async () => {
    // subscribe before connection_init: closed with 4401, even with a document that is not GraphQL.
    const early = await socket();
    early.ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "{ not graphql" } }));
    expect((await early.closed).code).toBe(4401);
    expect(early.types).toEqual([]);
    // connection_init without a credential: 4403; nothing after it is answered.
    const anonymous = await socket();
    anonymous.ws.send(JSON.stringify({ type: "connection_init", payload: {} }));
    anonymous.ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: INTROSPECTION } }));
    expect([4401, 4403]).toContain((await anonymous.closed).code);
    expect(anonymous.types).toEqual([]);
  });

  it("connection_init's authorization is read in any case, as an HTTP header's name; two spellings that disagree refuse the socket", async () => {
    for (const name of ["Authorization", "AUTHORIZATION"]) {
      const s = await acked({ [name]: `Bearer ${KEYS.acmeRead}` });
      expect(s.types).toEqual(["connection_ack"]);
      s.ws.close();
      await s.closed;
    }
    const same = await acked({ authorization: `Bearer ${KEYS.acmeRead}`, Authorization: `Bearer ${KEYS.acmeRead}` });
    same.ws.close();
    await same.closed;
    const disagree = await socket();
    disagree.ws.send(
      JSON.stringify({
        type: "connection_init",
        payload: { authorization: `Bearer ${KEYS.acmeRead}`, Authorization: `Bearer ${KEYS.globexWrite}` },
      }),
    );
    expect((await disagree.closed).code).toBe(4403);
  });
});

describe("websocket message cap (hardening item 2)", () => {
  it("closes a socket that sends a multi-megabyte message with 1009, and keeps serving", async () => {
    const s = await acked(bearer(KEYS.acmeRead));
    const pad = "x".repeat(8 * 1024 * 1024);
    s.ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: TRIVIAL, variables: { pad } } }));
    expect((await s.closed).code).toBe(1009);
    expect(s.types).toEqual(["connection_ack"]);

    // Before authentication too: an oversized connection_init.
    const early = await socket();
    early.ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${KEYS.acmeRead}`, pad } }));
    expect((await early.closed).code).toBe(1009);

    // A message under the cap is served, and HTTP answers promptly.
    const client = wsClient(t.wsUrl, bearer(KEYS.acmeRead));
    const r = await wsRequest(client, `{ suppliers { supplier } } # ${"x".repeat(MAX_BODY / 2)}`);
    expect(r.errors).toBeUndefined();
    await client.dispose();
    const res = await post(JSON.stringify({ query: TRIVIAL }), bearer(KEYS.acmeRead));
    expect(res.status).toBe(200);
  });
});

describe("long-lived JWTs on the websocket (hardening item 5)", () => {
  it.each([
    ["30 days", () => Math.floor(Date.now() / 1000) + 30 * 24 * 3600],
    ["exp 1e20", () => 1e20],
  ])("a socket with a JWT valid for %s stays open and serves", async (_what, exp) => {
    const token = await jwt(exp());
    const s = await acked(bearer(token));
    // Long enough for a socket closed "at once" to have been closed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    const result = new Promise<Record<string, unknown>>((resolve) =>
      s.ws.on("message", (m) => JSON.parse(String(m)).type === "next" && resolve(JSON.parse(String(m)))),
    );
    s.ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: TRIVIAL } }));
    expect(await result).toMatchObject({ type: "next", payload: { data: { suppliers: expect.any(Array) } } });
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    s.ws.close();
    await s.closed;
  });

  it("a socket whose JWT expires in about 1.5 s is closed with 4403 once it has expired", async () => {
    const exp = (Date.now() + 1500) / 1000;
    const s = await acked(bearer(await jwt(exp)));
    const { code, at } = await s.closed;
    expect(code).toBe(4403);
    expect(at).toBeGreaterThanOrEqual(Math.floor(exp * 1000) - 50);
    // Still serving others.
    expect((await gql(t.url, TRIVIAL, {}, bearer(KEYS.acmeRead))).errors).toBeUndefined();
  });
});
