/** Query limits, body cap, CSRF prevention, CORS origins, webhook rate cap. */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    GRAPHQL_MAX_DEPTH: "6",
    GRAPHQL_MAX_ALIASES: "5",
    // Above the next test's 2,402 tokens, so that its document reaches validation.
    GRAPHQL_MAX_TOKENS: "3000",
    CORS_ORIGINS: "https://app.example",
    WEBHOOK_RATE_LIMIT: "5",
  });
});
afterAll(async () => t?.close());

const deep = `{ voidOrder(supplier: ATRIP, voidCode: "X-1") { history { voidOrder { history { voidOrder { history { voidOrder { voidCode } } } } } } } }`;
const aliased = `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: suppliers { supplier }`).join(" ")} }`;

describe("hardening", () => {
  it.each([
    ["depth", deep, /depth/i],
    ["aliases", aliased, /alias/i],
  ])("rejects an operation over the %s limit before executing it, over HTTP and the websocket", async (_what, query, why) => {
    const http = await gql(t.url, query);
    expect(http.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(http.errors?.[0]?.message).toMatch(why);
    expect(http.data).toBeUndefined();
    const client = wsClient(t.wsUrl);
    const ws = await wsRequest(client, query).catch((e: unknown) => ({ errors: e as Array<{ message: string }> }));
    expect(JSON.stringify(ws.errors)).toMatch(why);
    await client.dispose();
  });

  it("a document too wide for graphql-js to check its overlapping fields is refused saying so, over HTTP and the websocket", async () => {
    const wide = `{ ${"suppliers { supplier } ".repeat(600)}}`;
    const http = await gql(t.url, wide);
    expect(http.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(http.errors?.[0]?.message).toMatch(/^Validation aborted: the operation repeats too many fields/);
    const client = wsClient(t.wsUrl);
    const ws = await wsRequest(client, wide).catch((e: unknown) => ({ errors: e as Array<{ message: string }> }));
    expect(ws.errors?.[0]?.message).toMatch(/^Validation aborted: the operation repeats too many fields/);
    await client.dispose();
  });

  it.each([
    ["too many fields", `{ ${"suppliers { supplier } ".repeat(751)}}`],
    ["nested too deep for the parser's recursion", `${"{ a ".repeat(16_000)}${"} ".repeat(16_000)}`],
  ])(
    "a document of more tokens than GRAPHQL_MAX_TOKENS (%s) is refused as it is parsed, over HTTP and the websocket",
    async (_what, query) => {
      const started = Date.now();
      const http = await gql(t.url, query);
      expect(http.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
      // graphql-js's own words ("more that" in graphql 16).
      expect(http.errors?.[0]?.message).toMatch(/^Syntax Error: Document contains more tha[nt] 3000 tokens\. Parsing aborted\.$/);
      const get = await fetch(`${t.url}?query=${encodeURIComponent(`{${" a".repeat(3001)} }`)}`, {
        headers: { "apollo-require-preflight": "1" },
      });
      expect(JSON.stringify(await get.json())).toMatch(/more tha[nt] 3000 tokens/);
      const client = wsClient(t.wsUrl);
      const ws = await wsRequest(client, query).catch((e: unknown) => ({ errors: e as Array<{ message: string }> }));
      expect(ws.errors?.[0]?.message).toMatch(/^Syntax Error: Document contains more tha[nt] 3000 tokens\. Parsing aborted\.$/);
      await client.dispose();
      expect(Date.now() - started).toBeLessThan(5_000);
    },
  );

  it("rejects an oversized body with 413", async () => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ suppliers { supplier } }`, pad: "x".repeat(200_000) }),
    });
    expect(res.status).toBe(413);
  });

  it("answers a request Node cannot parse with its status and a GraphQL error, not an empty body", async () => {
    // A GET whose query makes the URL longer than Node's header limit (16 KB): 431 with a JSON body.
    const long = await fetch(`${t.url}?query=${encodeURIComponent(`{ suppliers { supplier } }${" ".repeat(20_000)}`)}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(long.status).toBe(431);
    const body = (await long.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(body.errors[0].message).toMatch(/POST body or as a persisted query/);
    // A request line that is not HTTP: 400, the same shape.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(t.url).port), "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let got = "";
      socket.on("data", (d: Buffer) => (got += d.toString()));
      socket.on("close", () => resolve(got));
      socket.on("error", (err) => (got ? resolve(got) : reject(err)));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toMatch(/"code":"BAD_REQUEST"/);
  });

  it("keeps Apollo's CSRF prevention on (a simple request is refused; Sandbox-style requests pass)", async () => {
    const simple = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
    });
    expect(simple.status).toBe(400);
    const get = await fetch(`${t.url}?query=${encodeURIComponent("{ suppliers { supplier } }")}`);
    expect(get.status).toBe(400);
    const preflighted = await fetch(`${t.url}?query=${encodeURIComponent("{ suppliers { supplier } }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(preflighted.status).toBe(200);
  });

  it("allows only the configured browser origins", async () => {
    const ok = await fetch(t.url, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await fetch(t.url, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("caps webhooks per second", async () => {
    const hook = `${t.url.replace("/graphql", "")}/webhooks/atrip/${t.gw.webhookTokens.ATRIP}`;
    const body = JSON.stringify({ cid: "c", type: "order.other", status: -1, data: {} });
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    // The IETF draft-8 headers on every answer; a refusal says when to come back.
    for (const r of replies) {
      expect(r.headers.get("ratelimit-policy")).toMatch(/^"5-in-1sec"; q=5; w=1; pk=:[A-Za-z0-9+/=]+:$/);
      expect(r.headers.get("ratelimit")).toMatch(/^"5-in-1sec"; r=[0-4]; t=[01]$/);
    }
    const refused = replies.filter((r) => r.status === 429);
    for (const r of refused) {
      expect(r.headers.get("retry-after")).toMatch(/^[01]$/);
      expect(await r.json()).toEqual({ error: "too many webhooks" });
    }
  });
});
