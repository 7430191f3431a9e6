/** Automatic persisted queries over POST and GET (what mobile clients use to save bandwidth). */
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apolloSubscriber } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { fresh } from "../helpers/atrip.js";
import { quoteAndSubmit } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const query = "query Suppliers { suppliers { supplier operations } }";
const sha256Hash = createHash("sha256").update(query).digest("hex");
const extensions = { persistedQuery: { version: 1, sha256Hash } };

async function post(body: unknown) {
  const res = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
}

describe("automatic persisted queries", () => {
  it("hash only → PERSISTED_QUERY_NOT_FOUND; hash + query registers; then the hash alone works over POST and GET", async () => {
    expect((await post({ extensions })).errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await post({ query, extensions })).data).toBeTruthy();
    expect((await post({ extensions })).data).toMatchObject({ suppliers: expect.any(Array) });
    const url = `${t.url}?operationName=Suppliers&extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
    const get = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: unknown }).data).toMatchObject({ suppliers: expect.any(Array) });
  });

  it("refuses a hash that does not match the query", async () => {
    const wrong = { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } };
    const r = await post({ query, extensions: wrong });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });
});

describe("automatic persisted queries on the HTTP streams", () => {
  const subscription = 'subscription Follow { voidStatusChanged(orderNo: "APQ-NONE") { id status } }';
  const hash = createHash("sha256").update(subscription).digest("hex");
  const ext = { persistedQuery: { version: 1, sha256Hash: hash } };
  const MULTIPART = "multipart/mixed;subscriptionSpec=1.0,application/json";

  /** Opens a stream, reads its head and first chunk, and lets go. */
  async function open(accept: string, body: unknown) {
    const abort = new AbortController();
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    // A stream that opened may send nothing for a while (SSE's first bytes are its keep-alive).
    const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(r, 1500))]);
    const first = new TextDecoder().decode(chunk?.value);
    abort.abort();
    return { status: res.status, type: res.headers.get("content-type") ?? "", first };
  }

  it("multipart: the hash alone is unknown, the hash with its document opens the stream and is remembered, then the hash alone opens it", async () => {
    const miss = await open(MULTIPART, { extensions: ext });
    expect(miss.first).toMatch(/PERSISTED_QUERY_NOT_FOUND/);
    // Also for a client that names no JSON type (Apollo alone would answer 406 first).
    const onlyMultipart = await open("multipart/mixed;subscriptionSpec=1.0", { extensions: ext });
    expect([onlyMultipart.status, onlyMultipart.type, onlyMultipart.first]).toEqual([
      200,
      expect.stringMatching(/json/),
      expect.stringMatching(/PERSISTED_QUERY_NOT_FOUND/),
    ]);
    expect((await open(MULTIPART, { query: subscription, extensions: ext })).type).toMatch(/^multipart\/mixed/);
    const hit = await open(MULTIPART, { extensions: ext });
    expect(hit.status).toBe(200);
    expect(hit.type).toMatch(/^multipart\/mixed/);
  });

  it("SSE: an unknown hash is PERSISTED_QUERY_NOT_FOUND on the stream; once registered the hash alone opens it", async () => {
    const other = 'subscription Other { voidStatusChanged(orderNo: "APQ-SSE") { id } }';
    const otherExt = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(other).digest("hex") } };
    const miss = await open("text/event-stream", { extensions: otherExt });
    expect(miss.type).toMatch(/^text\/event-stream/);
    expect(miss.first).toMatch(/event: next[\s\S]*PERSISTED_QUERY_NOT_FOUND/);
    expect((await open("text/event-stream", { query: other, extensions: otherExt })).first).not.toMatch(/errors/);
    const hit = await open("text/event-stream", { extensions: otherExt });
    expect(hit.type).toMatch(/^text\/event-stream/);
    expect(hit.first).not.toMatch(/errors/);
  });

  it("remembers only a document that validates, as Apollo does", async () => {
    const invalid = 'subscription Bad { voidStatusChanged(orderNo: "APQ-BAD") { nope } }';
    const badExt = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(invalid).digest("hex") } };
    expect((await open(MULTIPART, { query: invalid, extensions: badExt })).first).toMatch(/GRAPHQL_VALIDATION_FAILED/);
    expect((await open(MULTIPART, { extensions: badExt })).first).toMatch(/PERSISTED_QUERY_NOT_FOUND/);
  });

  it("refuses a subscription whose hash does not match its document, as Apollo refuses a query", async () => {
    const wrong = { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } };
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: MULTIPART },
      body: JSON.stringify({ query: subscription, extensions: wrong }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("a hash sent by GET (Apollo Client's PersistedQueryLink with useGETForHashedQueries) opens the stream, over multipart and SSE, every time", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    await quoteAndSubmit(t.url, orderNo);
    const follow = `subscription FollowGet($o: String) { voidStatusChanged(orderNo: $o, afterEventId: "0") { id status } }`;
    const methods: string[] = [];
    const recording: typeof fetch = (input, init) => {
      methods.push(init?.method ?? "GET");
      return fetch(input, init);
    };
    const sha256 = (q: string) => createHash("sha256").update(q).digest("hex");
    const client = new ApolloClient({
      link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri: t.url, fetch: recording })),
      cache: new InMemoryCache(),
    });
    // The first subscribe registers the hash (GET: unknown, then POST with the document); every
    // later one is the GET alone, and must open the stream as the POST did.
    for (let i = 0; i < 3; i++) {
      const events = collect(apolloSubscriber(client), follow, { o: orderNo }, (d) => d.voidStatusChanged as { id: string });
      await events.waitFor(1);
      events.stop();
      expect(events.errors).toEqual([]);
    }
    expect(methods).toEqual(["GET", "POST", "GET", "GET"]);

    const get = (accept: string) =>
      fetch(
        `${t.url}?operationName=FollowGet&variables=${encodeURIComponent(JSON.stringify({ o: orderNo }))}&extensions=${encodeURIComponent(
          JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(follow) } }),
        )}`,
        { headers: { accept } },
      );
    // The same by hand, with this text's own hash (Apollo Client hashed its printed form).
    await open(MULTIPART, {
      query: follow,
      variables: { o: orderNo },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(follow) } },
    });
    for (const accept of [MULTIPART, "text/event-stream"]) {
      const res = await get(accept);
      const reader = res.body!.getReader();
      let text = "";
      const until = Date.now() + 5000;
      while (!/SUPPLIER_PROCESSING/.test(text) && Date.now() < until) {
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(r, 500))]);
        if (chunk?.done) break;
        text += new TextDecoder().decode(chunk?.value);
      }
      await reader.cancel();
      expect([res.status, text]).toEqual([200, expect.stringMatching(/"id":"\d+"/)]);
    }
  });
});
