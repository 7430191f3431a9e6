/**
 * Subscriptions over HTTP (issue 23) with the real clients: Apollo Client 4's plain HttpLink
 * and Relay through Apollo's adapter (Apollo's multipart protocol), the graphql-sse client and
 * urql's `fetchSubscriptions` (SSE), against a gateway with its
 * simulators. Each follows a demo void to its final state, each change exactly once, and
 * resumes with afterEventId; the same authentication, tenant isolation and per-tenant cap as
 * the websocket (counted across transports); released at once when the client goes away.
 */
import { Client as UrqlClient, fetchExchange } from "@urql/core";
import { afterEach, describe, expect, it } from "vitest";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { apolloClient, apolloSubscriber, relaySubscriber, sseClient, urqlSubscriber, wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect, type Subscriber } from "../helpers/subscribe.js";

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const MULTIPART = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json';

const CLIENTS: Array<[string, string, (url: string, headers?: Record<string, string>) => Subscriber]> = [
  ["Apollo Client HttpLink", "multipart", (url, headers) => apolloSubscriber(apolloClient(url, headers))],
  ["graphql-sse", "sse", (url, headers) => sseClient(url, headers)],
  ["urql fetchSubscriptions", "sse", (url, headers) => urqlSubscriber(url, headers)],
  ["Relay with Apollo's multipart adapter", "multipart", (url, headers) => relaySubscriber(url, headers)],
];

const active = () => t!.gw.services.tracking.subscriptions.active;
const isFinal = async (url: string, voidCode: string) =>
  (await gql<{ voidOrder: { isFinal: boolean } }>(url, `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal } }`)).data
    ?.voidOrder.isFinal;

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(t!.url.replace("/graphql", "/metrics"))).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return Number(line?.split(" ").at(-1) ?? 0);
}

describe.each(CLIENTS)("%s (%s)", (_name, transport, makeClient) => {
  it("follows a demo void to its final state, each change once, then resumes with afterEventId", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const sub = collect<EventOut>(makeClient(t.url), VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await eventually(() => active() === 1);
    expect(await metric("gateway_http_subscription_streams", `transport="${transport}"`)).toBe(1);
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    await sub.waitUntil((e) => e.isFinal, 20_000);
    expect(sub.items.map((e) => [e.voidCode, e.previousStatus, e.status])).toEqual([
      [voidCode, null, "SUPPLIER_PROCESSING"],
      [voidCode, "SUPPLIER_PROCESSING", "AIRLINE_PROCESSING"],
      [voidCode, "AIRLINE_PROCESSING", "REFUNDED"],
    ]);
    expect(sub.errors).toEqual([]);
    sub.stop();
    await eventually(() => active() === 0);

    // A reconnect after the first change: exactly the later ones, then live ones.
    const resumed = collect<EventOut>(makeClient(t.url), VOID_EVENTS, { after: sub.items[0]!.id }, (d) => d.voidStatusChanged as EventOut);
    const missed = await resumed.waitFor(2);
    expect(missed.map((e) => e.status)).toEqual(["AIRLINE_PROCESSING", "REFUNDED"]);
    const other = fresh("ATR-VOID-VCC");
    await quoteAndSubmit(t.url, other);
    await resumed.waitUntil((e) => e.orderNo === other);
    expect(new Set(resumed.items.map((e) => e.id)).size).toBe(resumed.items.length);
    expect(resumed.items.slice(0, 2).map((e) => e.id)).toEqual(sub.items.slice(1).map((e) => e.id));
    resumed.stop();
    await eventually(() => active() === 0);
    expect(await isFinal(t.url, voidCode)).toBe(true);
  });

  it("sees only its own tenant's events, and is refused without a valid credential", async () => {
    t = await startTestGateway({ API_KEYS });
    const acme = collect<EventOut>(makeClient(t.url, bearer(KEYS.acmeRead)), VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await eventually(() => active() === 1);
    const globexOrder = fresh("ATR-VOID-VCC");
    await quoteAndSubmit(t.url, globexOrder, bearer(KEYS.globexWrite));
    const acmeOrder = fresh("ATR-VOID-VCC");
    await quoteAndSubmit(t.url, acmeOrder, bearer(KEYS.acmeWrite));
    await acme.waitUntil((e) => e.orderNo === acmeOrder);
    expect(acme.items.some((e) => e.orderNo === globexOrder)).toBe(false);
    acme.stop();

    const refused = collect<EventOut>(
      makeClient(t.url, bearer("not-a-key-0123456789")),
      VOID_EVENTS,
      {},
      (d) => d.voidStatusChanged as EventOut,
    );
    await eventually(() => refused.errors.length > 0);
    expect(refused.items).toEqual([]);
    await eventually(() => active() === 0);
  });
});

describe("every HTTP transport", () => {
  it("answers 401 before anything runs, without a credential", async () => {
    t = await startTestGateway({ API_KEYS });
    for (const accept of [MULTIPART, "text/event-stream"]) {
      const res = await fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query: "subscription { voidStatusChanged { id } }" }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe(
        "UNAUTHENTICATED",
      );
      // A GET passes the gate only as the landing page; a stream asked for by GET is checked too.
      const get = await fetch(`${t.url}?query=${encodeURIComponent("subscription { voidStatusChanged { id } }")}`, { headers: { accept } });
      expect(get.status).toBe(401);
    }
    expect(active()).toBe(0);
  });

  it("a stream that fails after it started (its replay could not be read) ends with SERVICE_UNAVAILABLE on every transport", async () => {
    t = await startTestGateway();
    await quoteAndSubmit(t.url, fresh("ATR-VOID-DEPOSIT"));
    const events = t.store.events;
    const original = events.stragglers.bind(events);
    events.stragglers = async () => {
      throw new Error("store down (test)");
    };
    try {
      const ws = wsClient(t.wsUrl);
      const subscribers: Array<[string, Subscriber]> = [
        ["websocket", ws],
        ["multipart", apolloSubscriber(apolloClient(t.url))],
        ["SSE", sseClient(t.url)],
      ];
      for (const [name, client] of subscribers) {
        const sub = collect(client, VOID_EVENTS, { after: "0" }, (d) => d);
        await eventually(() => sub.errors.length > 0);
        const text = JSON.stringify(sub.errors);
        expect(text, name).toMatch(/SERVICE_UNAVAILABLE/);
        expect(text, name).toMatch(/afterEventId/);
        expect(text, name).not.toMatch(/store down|INTERNAL_SERVER_ERROR/);
        sub.stop();
      }
      await ws.dispose();
    } finally {
      events.stragglers = original;
    }
    await eventually(() => active() === 0);
  });

  it("counts the per-tenant cap across the websocket, multipart and SSE together", async () => {
    t = await startTestGateway({ MAX_SUBSCRIPTIONS_PER_TENANT: "2" });
    const ws = wsClient(t.wsUrl);
    const viaWs = collect(ws, VOID_EVENTS, {}, (d) => d);
    const viaMultipart = collect(apolloSubscriber(apolloClient(t.url)), VOID_EVENTS, {}, (d) => d);
    await eventually(() => active() === 2);
    const viaSse = collect(sseClient(t.url), VOID_EVENTS, {}, (d) => d);
    await eventually(() => viaSse.errors.length > 0);
    expect(JSON.stringify(viaSse.errors)).toMatch(/TOO_MANY_SUBSCRIPTIONS/);
    viaMultipart.stop();
    await eventually(() => active() === 1);
    const again = collect(sseClient(t.url), VOID_EVENTS, {}, (d) => d);
    await eventually(() => active() === 2);
    expect(again.errors).toEqual([]);
    again.stop();
    viaWs.stop();
    await ws.dispose();
    await eventually(() => active() === 0);
  });

  it("releases the subscription at once when the client goes away, and counts why in the metrics", async () => {
    t = await startTestGateway();
    for (const accept of [MULTIPART, "text/event-stream"]) {
      const abort = new AbortController();
      const res = await fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query: VOID_EVENTS, variables: { orderNo: fresh("ATR-VOID-VCC") } }),
        signal: abort.signal,
      });
      expect(res.status).toBe(200);
      await eventually(() => active() === 1);
      abort.abort();
      await eventually(() => active() === 0);
      expect(t.gw.services.tracking.subscriptions.watched).toBe(0);
    }
    expect(await metric("gateway_http_subscription_streams", 'transport="multipart"')).toBe(0);
    expect(await metric("gateway_http_subscription_streams_ended_total", 'transport="sse",reason="client_gone"')).toBe(1);
    expect(await metric("gateway_http_subscription_streams_ended_total", 'transport="multipart",reason="client_gone"')).toBe(1);
  });

  it("SSE: each change's event carries its id as the SSE id line, and a reconnect with Last-Event-ID (EventSource's own) resumes after it", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    await eventually(() => isFinal(t!.url, voidCode), 20_000);
    const query = "subscription($o: String, $after: ID) { voidStatusChanged(orderNo: $o, afterEventId: $after) { id status } }";
    /** The first `count` SSE messages of a GET as an EventSource sends it: [id line, data]. */
    const stream = async (variables: Record<string, string>, count: number, lastEventId?: string) => {
      const abort = new AbortController();
      const params = new URLSearchParams({ query, variables: JSON.stringify({ o: orderNo, ...variables }) });
      const res = await fetch(`${t!.url}?${params}`, {
        headers: { accept: "text/event-stream", ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }) },
        signal: abort.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      const messages = () => text.split("\n\n").filter((m) => /^(id|event): /m.test(m));
      while (messages().length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      abort.abort();
      return messages()
        .slice(0, count)
        .map((m) => {
          const field = (name: string) => m.match(new RegExp(`^${name}: ?(.*)$`, "m"))?.[1];
          return { id: field("id"), event: field("event"), data: JSON.parse(field("data") ?? "null") as unknown };
        });
    };
    const [first, ...rest] = (
      await gql<{ voidOrder: { history: Array<{ id: string }> } }>(
        t.url,
        `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id } } }`,
      )
    ).data!.voidOrder.history.map((e) => e.id);
    expect(rest).toHaveLength(2);
    // Replayed after the first change: two events, each with its id on the id line.
    const replay = await stream({ after: first }, 2);
    expect(replay.map((m) => [m.id, m.event, m.data])).toEqual([
      [rest[0], "next", { data: { voidStatusChanged: { id: rest[0], status: "AIRLINE_PROCESSING" } } }],
      [rest[1], "next", { data: { voidStatusChanged: { id: rest[1], status: "REFUNDED" } } }],
    ]);
    // The same URL again, as an EventSource reconnects, with the last id it got: only what came after.
    expect((await stream({ after: first }, 1, rest[0]))[0]).toMatchObject({
      id: rest[1],
      data: { data: { voidStatusChanged: { id: rest[1] } } },
    });
    // An afterEventId later than the header's wins; a header that is not an event id is ignored
    // (refusing it would have the EventSource reconnect with it every 3 s, forever).
    expect((await stream({ after: rest[0] }, 1, first))[0]?.id).toBe(rest[1]);
    expect((await stream({ after: first }, 1, "abc"))[0]).toMatchObject({ id: rest[0], event: "next" });
    // So is one of 19 digits beyond the largest event id: it does not start the id lines either.
    expect((await stream({ after: first }, 1, "9999999999999999999"))[0]).toMatchObject({ id: rest[0], event: "next" });
    // An event id beyond the log (another deployment's, a store reset) is dropped: the stream starts
    // live. Refused, as an afterEventId is, the EventSource came back with it every 3 s (spec probe).
    const later = fresh("ATR-VOID-DEPOSIT");
    const [live] = await Promise.all([
      stream({ o: later }, 1, "99999999"),
      new Promise((r) => setTimeout(r, 300)).then(() => quoteAndSubmit(t!.url, later)),
    ]);
    expect(live[0]).toMatchObject({ event: "next", data: { data: { voidStatusChanged: { status: "SUPPLIER_PROCESSING" } } } });
    // Its id line is the event's own: the dropped id does not come back with the next reconnect.
    expect(live[0].id).toBe((live[0].data as { data: { voidStatusChanged: { id: string } } }).data.voidStatusChanged.id);
    // With the URL's afterEventId as well, the stream resumes after that one.
    expect((await stream({ after: first }, 1, "99999999"))[0]).toMatchObject({ id: rest[0], event: "next" });
    await eventually(() => active() === 0);
  });

  it("SSE requests graphql-sse itself refuses are answered with a BAD_REQUEST error, its status kept", async () => {
    t = await startTestGateway();
    const sse = async (init: RequestInit & { path?: string }) => {
      const res = await fetch(t!.url + (init.path ?? ""), {
        ...init,
        headers: { accept: "text/event-stream", ...(init.headers as object) },
      });
      return { status: res.status, type: res.headers.get("content-type"), allow: res.headers.get("allow"), body: await res.text() };
    };
    const json = { "content-type": "application/json" };
    const cases = [
      await sse({
        method: "POST",
        headers: json,
        body: JSON.stringify({ query: "subscription { voidStatusChanged { id } }", variables: "{}" }),
      }),
      await sse({ method: "POST", headers: json, body: JSON.stringify({ variables: {} }) }),
      await sse({
        method: "GET",
        path: `?query=${encodeURIComponent('mutation { voidQuote(input: { supplier: ATRIP, orderNo: "X" }) { isVoidable } }')}`,
      }),
      await sse({ method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }),
      // graphql-sse's single connection mode (a stream reserved by PUT) is not offered: Apollo's answers, as documented.
      await sse({ method: "PUT" }),
      await sse({ method: "PUT", headers: json, body: "{}" }),
    ];
    for (const c of cases) {
      expect(c.status).toBeGreaterThanOrEqual(400);
      expect(c.type).toMatch(/^application\/json/);
      const errors = (JSON.parse(c.body) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors;
      expect(errors[0].extensions.code).toBe("BAD_REQUEST");
      expect(errors[0].message.length).toBeGreaterThan(0);
    }
    expect(cases.map((c) => c.status)).toEqual([400, 400, 405, 415, 400, 405]);
  });

  it("SSE: a subscription refused before it runs is one next event of errors with no data entry (a request error), then complete", async () => {
    t = await startTestGateway();
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: "subscription { voidStatusChanged { nope } }" }),
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await res.text())
      .split("\n\n")
      .filter((m) => /^event: /m.test(m))
      .map((m) => ({ event: /^event: (.*)$/m.exec(m)?.[1], data: /^data: (.*)$/m.exec(m)?.[1] }));
    expect(events.map((e) => e.event)).toEqual(["next", "complete"]);
    const result = JSON.parse(events[0].data!) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(["errors"]);
    expect((result.errors as Array<{ extensions: { code: string } }>)[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("queries and mutations keep their present answers; a subscription sent as plain JSON is refused with 400", async () => {
    t = await startTestGateway();
    const query = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: MULTIPART },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(query.headers.get("content-type")).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await query.json()).toEqual({ data: { __typename: "Query" } });
    // urql lists the streams after the JSON types on every query and mutation: JSON it gets.
    const urql = await fetch(t.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed",
      },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(urql.headers.get("content-type")).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await urql.json()).toEqual({ data: { __typename: "Query" } });
    // A real urql client as docs/clients.md sets it up: queries as POST (a GET needs a preflight header).
    const urqlClient = new UrqlClient({ url: t.url, exchanges: [fetchExchange], preferGetMethod: false });
    const urqlQuery = await urqlClient.query("{ suppliers { supplier } }", {}).toPromise();
    expect(urqlQuery.error).toBeUndefined();
    expect(urqlQuery.data?.suppliers.length).toBeGreaterThan(0);
    const urqlGet = await new UrqlClient({
      url: t.url,
      exchanges: [fetchExchange],
      fetchOptions: { headers: { "apollo-require-preflight": "true" } },
    })
      .query("{ suppliers { supplier } }", {})
      .toPromise();
    expect(urqlGet.error).toBeUndefined();
    expect(urqlGet.data?.suppliers.length).toBeGreaterThan(0);
    // A subscription refused before it runs: the errors in the JSON type the client prefers, so
    // Apollo Client (which lists application/graphql-response+json first) reads them as GraphQL errors.
    const refused = (accept: string) =>
      fetch(t!.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query: "subscription { voidStatusChanged { nope } }" }),
      });
    const apolloRefused = await refused(
      "multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/graphql-response+json,application/json;q=0.9",
    );
    expect(apolloRefused.status).toBe(400);
    expect(apolloRefused.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    expect(((await apolloRefused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe(
      "GRAPHQL_VALIDATION_FAILED",
    );
    expect((await refused(MULTIPART)).headers.get("content-type")).toMatch(/^application\/json/);
    const plain = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "subscription { voidStatusChanged { id } }" }),
    });
    expect(plain.status).toBe(400);
    expect(JSON.stringify(await plain.json())).toMatch(/text\/event-stream/);
  });
});
