/**
 * Phones on flaky networks and load balancers (issue 16, items 5 and 6). Clients behind a TCP
 * relay that stops forwarding — sockets left open, no FIN, no RST, as when a phone drops off
 * a cell — are let go within the keep-alive bound, with everything they held; a client that
 * answers pings is never cut. And an idle keep-alive HTTP connection outlives Node's 5 s
 * default (balancers keep theirs 60 s and more).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

const KEEPALIVE_MS = 300;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ WS_KEEPALIVE_MS: String(KEEPALIVE_MS) });
});
afterAll(async () => t?.close());

/** A TCP relay to the gateway whose `freeze()` stops moving bytes and leaves every socket open. */
async function relay(port: number): Promise<{ port: number; freeze(): void; close(): void }> {
  const pairs: Array<[Socket, Socket]> = [];
  const server: Server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) s.on("error", () => undefined);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      server.close();
    },
  };
}

it("connections that stop answering are released within two ping intervals; an answering one stays", async () => {
  const { tracking } = t.gw.services;
  const r = await relay(t.gw.port);
  const viaRelay = Array.from({ length: 20 }, () => wsClient(`ws://127.0.0.1:${r.port}/graphql`));
  const subs = viaRelay.map((c, i) =>
    collect<EventOut>(c, VOID_EVENTS, i % 2 ? { voidCode: `PHONE-${i}` } : {}, (d) => d.voidStatusChanged as EventOut),
  );
  const answering = wsClient(t.wsUrl);
  const live = collect<EventOut>(answering, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
  await eventually(() => tracking.subscriptions.active === 21, 10_000);
  expect(tracking.subscriptions.watched).toBe(10);

  r.freeze();
  const frozenAt = Date.now();
  await eventually(() => tracking.subscriptions.active === 1, 10 * KEEPALIVE_MS + 5000, 20);
  expect(Date.now() - frozenAt).toBeLessThan(2 * KEEPALIVE_MS + 1500);
  expect(tracking.feed.listeners).toBe(1);
  expect(tracking.subscriptions.watched).toBe(0);

  // Several intervals later the answering client is still there and still hears.
  await new Promise((res) => setTimeout(res, 5 * KEEPALIVE_MS));
  expect(tracking.subscriptions.active).toBe(1);
  const voidCode = await quoteAndSubmit(t.url, fresh("ATR-VOID-VCC"));
  await live.waitUntil((e) => e.voidCode === voidCode);
  subs.forEach((s) => s.stop());
  live.stop();
  r.close();
  await Promise.all([...viaRelay, answering].map((c) => c.dispose()));
});

it("pings each socket once per interval, the sockets in slices across it rather than all at once", async () => {
  // A sweep of every socket at once held the event loop ~110 ms per 10,000 sockets (src/server/staggered.ts).
  const sockets = await Promise.all(
    Array.from(
      { length: 30 },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(t.wsUrl, "graphql-transport-ws");
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
        }),
    ),
  );
  const pings = sockets.map(() => [] as number[]);
  sockets.forEach((ws, i) => ws.on("ping", () => pings[i].push(performance.now())));
  const waited = 6 * KEEPALIVE_MS + 100;
  await new Promise((res) => setTimeout(res, waited));
  // Once per interval: neither skipped nor doubled (six intervals give 6 or 7 pings; slack for a loaded machine).
  for (const p of pings) {
    expect(p.length).toBeGreaterThanOrEqual(4);
    expect(p.length).toBeLessThanOrEqual(Math.ceil(waited / KEEPALIVE_MS) + 1);
  }
  // The interval's slots (one per ~100 ms): the sockets' first pings are spread over most of it.
  const first = pings.map((p) => p[0]);
  expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(KEEPALIVE_MS / 3);
  sockets.forEach((ws) => ws.terminate());
});

it("WS_KEEPALIVE_MS alone decides: graphql-ws's own 12 s pings are off", async () => {
  const slow = await startTestGateway({ WS_KEEPALIVE_MS: "60000" });
  try {
    const ws = new WebSocket(slow.wsUrl, "graphql-transport-ws");
    const pings: number[] = [];
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const opened = performance.now();
    ws.on("ping", () => pings.push(performance.now() - opened));
    ws.send(JSON.stringify({ type: "connection_init" }));
    await new Promise((res) => setTimeout(res, 13_000));
    // This gateway's only socket sits in the pinger's first slot: pinged within its first tick,
    // then not for 60 s. graphql-ws's own would have pinged at 12 s.
    expect(pings.filter((at) => at > 2_000)).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.terminate();
  } finally {
    await slow.close();
  }
}, 30_000);

it("keeps an idle keep-alive HTTP connection open past Node's 5 s default", async () => {
  const socket = connect(t.gw.port, "127.0.0.1");
  await new Promise<void>((r) => socket.once("connect", () => r()));
  const body = JSON.stringify({ query: "{ suppliers { supplier } }" });
  const request = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
  const answer = () =>
    new Promise<string>((resolve, reject) => {
      let got = "";
      const onData = (d: Buffer) => {
        got += d.toString();
        if (/"suppliers"/.test(got)) {
          socket.off("data", onData);
          resolve(got);
        }
      };
      socket.on("data", onData);
      socket.once("close", () => reject(new Error(`closed; got ${got}`)));
    });
  socket.write(request);
  expect(await answer()).toMatch(/^HTTP\/1.1 200/);
  await new Promise((r) => setTimeout(r, 6000));
  expect(socket.destroyed).toBe(false);
  socket.write(request);
  expect(await answer()).toMatch(/^HTTP\/1.1 200/);
  socket.destroy();
}, 20_000);

it("a connection that dribbles its headers is closed within 2 s of the headers timeout, not up to 30 s after (Node's default check interval)", async () => {
  // HTTP_KEEPALIVE_TIMEOUT_MS 1 s: the headers timeout is 2 s.
  const short = await startTestGateway({ HTTP_KEEPALIVE_TIMEOUT_MS: "1000" });
  try {
    // Three, 2.5 s apart: no one check every 30 s could close all three within 6 s.
    const sockets = await Promise.all(
      [0, 1, 2].map(async (i) => {
        await new Promise((r) => setTimeout(r, i * 2500));
        const socket = connect(short.gw.port, "127.0.0.1");
        socket.on("error", () => undefined); // a drip written as it closes
        await new Promise<void>((r) => socket.once("connect", () => r()));
        const opened = Date.now();
        socket.write("POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        const drip = setInterval(() => socket.write("a"), 500);
        await new Promise((r) => socket.once("close", r));
        clearInterval(drip);
        return Date.now() - opened;
      }),
    );
    for (const heldMs of sockets) {
      expect(heldMs).toBeGreaterThanOrEqual(1900);
      expect(heldMs).toBeLessThan(6000);
    }
  } finally {
    await short.close();
  }
}, 30_000);
