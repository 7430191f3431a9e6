/**
 * Apollo's multipart subscription protocol byte by byte (issue 23, item 5), as Apollo Kotlin
 * and Apollo iOS parse it (RFC 2046 multipart: CRLF line endings, a delimiter after each part,
 * a close delimiter at the end), read from a raw socket rather than a client that forgives:
 * the content type, the heartbeat part, the event parts, and the fatal error then the end at
 * shutdown and at the token's expiry. And the bound on a client that stops reading, on a real
 * socket.
 */
import http from "node:http";
import { connect, type AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { HttpStreamEnd } from "../../src/metrics.js";
import { HttpStreams } from "../../src/server/streams/index.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit, VOID_EVENTS } from "../helpers/graphql.js";

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const CRLF_ONLY = /(?<!\r)\n/;
const PART_HEAD = "\r\ncontent-type: application/json\r\n\r\n";

/** A raw multipart subscription: the status, the headers, every byte so far, and whether the server ended it. */
function rawSubscribe(url: string, body: unknown, headers: Record<string, string> = {}) {
  const got = { status: 0, headers: {} as http.IncomingHttpHeaders, text: "", ended: false };
  const req = http.request(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: 'multipart/mixed;subscriptionSpec="1.0", application/json', ...headers },
  });
  req.on("response", (res) => {
    got.status = res.statusCode ?? 0;
    got.headers = res.headers;
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => (got.text += chunk));
    res.on("end", () => (got.ended = true));
  });
  req.on("error", () => undefined);
  req.end(JSON.stringify(body));
  return { got, abort: () => req.destroy() };
}

/**
 * Splits a multipart body the way RFC 2046 reads it: an (empty) preamble, then parts each
 * opened by CRLF "--graphql" CRLF, closed by CRLF "--graphql--". Throws on anything else.
 */
function parts(text: string): { bodies: unknown[]; closed: boolean } {
  const delimiter = "\r\n--graphql";
  if (!text.startsWith(delimiter)) throw new Error(`does not start with a delimiter: ${JSON.stringify(text.slice(0, 40))}`);
  const chunks = text.slice(delimiter.length).split(delimiter);
  const bodies: unknown[] = [];
  let closed = false;
  for (const [i, chunk] of chunks.entries()) {
    if (i === chunks.length - 1) {
      // After the last delimiter: the close ("--" CRLF), or nothing yet.
      if (chunk === "--\r\n") closed = true;
      else if (chunk !== "") throw new Error(`a part not closed by a delimiter: ${JSON.stringify(chunk)}`);
      continue;
    }
    if (!chunk.startsWith(PART_HEAD)) throw new Error(`a part without its CRLF headers: ${JSON.stringify(chunk.slice(0, 60))}`);
    bodies.push(JSON.parse(chunk.slice(PART_HEAD.length)));
  }
  return { bodies, closed };
}

describe("multipart framing", () => {
  it("content type, CRLF, heartbeats, events as payloads, then a fatal error and the close delimiter at shutdown", async () => {
    t = await startTestGateway({ HTTP_SUBSCRIPTION_HEARTBEAT_MS: "100", VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const sub = rawSubscribe(t.url, { query: VOID_EVENTS, variables: { orderNo } });
    await eventually(() => t!.gw.services.tracking.subscriptions.active === 1);
    await quoteAndSubmit(t.url, orderNo);
    await eventually(() => sub.got.text.includes('"REFUNDED"') && sub.got.text.endsWith("--graphql"), 20_000);

    expect(sub.got.status).toBe(200);
    expect(sub.got.headers["content-type"]).toBe('multipart/mixed;boundary="graphql";subscriptionSpec=1.0');
    expect(sub.got.headers["cache-control"]).toBe("no-store");
    expect(sub.got.text).not.toMatch(CRLF_ONLY);
    const live = parts(sub.got.text);
    expect(live.closed).toBe(false);
    expect(live.bodies).toContainEqual({});
    const events = live.bodies.filter((b) => JSON.stringify(b) !== "{}") as Array<{
      payload: { data: { voidStatusChanged: { status: string } } };
    }>;
    expect(events.map((e) => Object.keys(e))).toEqual(events.map(() => ["payload"]));
    expect(events.map((e) => e.payload.data.voidStatusChanged.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);

    await t.close();
    t = undefined;
    await eventually(() => sub.got.ended);
    const all = parts(sub.got.text);
    expect(all.closed).toBe(true);
    expect(all.bodies.at(-1)).toEqual({
      payload: null,
      errors: [{ message: expect.stringMatching(/shutting down/), extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } }],
    });
    expect(sub.got.text.endsWith("\r\n--graphql--\r\n")).toBe(true);
  });

  it("a subscription refused by its resolver is one payload with its errors, then the end", async () => {
    t = await startTestGateway();
    const sub = rawSubscribe(t.url, { query: VOID_EVENTS, variables: { after: "not-an-id" } });
    await eventually(() => sub.got.ended);
    expect(sub.got.status).toBe(200);
    const { bodies, closed } = parts(sub.got.text);
    expect(closed).toBe(true);
    expect(bodies).toHaveLength(1);
    expect(JSON.stringify(bodies[0])).toMatch(/"payload":\{.*"errors":\[.*BAD_USER_INPUT/);
  });

  it("a document refused before it runs is plain JSON with HTTP 400, as Apollo answers it for a query", async () => {
    t = await startTestGateway();
    const sub = rawSubscribe(t.url, { query: "subscription { voidStatusChanged { nope } }" });
    await eventually(() => sub.got.ended);
    expect(sub.got.status).toBe(400);
    expect(sub.got.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(sub.got.text).errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("ends with UNAUTHENTICATED when the JWT it was opened with expires", async () => {
    const secret = "jwt-secret-for-stream-tests-0123456789";
    t = await startTestGateway({ JWT_SECRET: secret });
    const token = await new SignJWT({ tenant: "acme", scope: "read" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(new TextEncoder().encode(secret));
    const sub = rawSubscribe(t.url, { query: VOID_EVENTS }, { authorization: `Bearer ${token}` });
    await eventually(() => t!.gw.services.tracking.subscriptions.active === 1);
    await eventually(() => sub.got.ended, 10_000);
    const { bodies, closed } = parts(sub.got.text);
    expect(closed).toBe(true);
    expect(bodies.at(-1)).toMatchObject({ payload: null, errors: [{ extensions: { code: "UNAUTHENTICATED" } }] });
    await eventually(() => t!.gw.services.tracking.subscriptions.active === 0);
  });
});

describe("a client that is gone before its stream is registered", () => {
  it("is released at once (its close will not come again)", async () => {
    const ends: HttpStreamEnd[] = [];
    const streams = new HttpStreams({
      log: createLogger("silent"),
      metrics: { httpStreamOpened: () => undefined, httpStreamEnded: (_t, reason) => void ends.push(reason) },
      heartbeatMs: 5000,
      maxBufferedBytes: 1024,
    });
    let released = 0;
    const server = http.createServer((_req, res) => {
      // As when the client leaves while the subscription is being set up: registered only after the close.
      res.once("close", () => {
        streams.add({ transport: "sse", res, principal: null, label: "test", lastWords: () => "", release: () => void released++ });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n", () => setTimeout(() => socket.destroy(), 50));
    try {
      await eventually(() => ends.length === 1);
      expect(ends).toEqual(["client_gone"]);
      expect(released).toBe(1);
      expect(streams.size).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** A registry of the streams' tests: 256 KiB buffered at most; `ends` hears why each stream ended. */
function registry(ends: HttpStreamEnd[], maxStallMs?: number): HttpStreams {
  return new HttpStreams({
    log: createLogger("silent"),
    metrics: { httpStreamOpened: () => undefined, httpStreamEnded: (_t, reason) => void ends.push(reason) },
    heartbeatMs: 5000,
    maxBufferedBytes: 256 * 1024,
    maxStallMs,
  });
}

/** One plain-text stream on `res` in `streams`; `release` hears that its source was let go. */
function openStream(streams: HttpStreams, res: http.ServerResponse, release: () => void = () => undefined) {
  res.writeHead(200, { "content-type": "text/plain" });
  return streams.add({ transport: "multipart", res, principal: null, label: "test", lastWords: () => "", release });
}

describe("a client that reads slowly", () => {
  /** A server whose one stream writes `count` chunks as a transport does: the next only once the last has drained. */
  function pacedServer(streams: HttpStreams, count: number, chunk: string, seen: { written: number; buffered: number }) {
    return http.createServer((_req, res) => {
      const open = openStream(streams, res);
      void (async () => {
        for (let i = 0; i < count && (await open.drained()); i++) {
          seen.buffered = Math.max(seen.buffered, res.writableLength);
          if (!open.write(chunk)) return;
          seen.written++;
        }
        open.end("completed");
      })();
    });
  }

  it("gets a backlog many times the buffer bound at its own pace, uncut", async () => {
    const ends: HttpStreamEnd[] = [];
    const seen = { written: 0, buffered: 0 };
    const chunk = "y".repeat(8 * 1024);
    const server = pacedServer(registry(ends), 400, chunk, seen); // 3.2 MB, 12× the bound
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    let received = 0;
    // About 1 MB/s: 64 KB, then a pause.
    socket.on("data", (b: Buffer) => {
      received += b.length;
      socket.pause();
      setTimeout(() => socket.resume(), Math.ceil(b.length / 1024));
    });
    try {
      await eventually(() => ends.length === 1, 30_000);
      expect(ends).toEqual(["completed"]);
      expect(seen.written).toBe(400);
      await eventually(() => received >= 400 * chunk.length, 10_000);
      expect(seen.buffered).toBeLessThanOrEqual(64 * 1024);
    } finally {
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("is cut as a slow reader once it takes nothing for maxStallMs", async () => {
    const ends: HttpStreamEnd[] = [];
    const seen = { written: 0, buffered: 0 };
    const server = pacedServer(registry(ends, 500), 100_000, "z".repeat(64 * 1024), seen);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    socket.once("data", () => socket.pause());
    try {
      await eventually(() => ends.length === 1, 20_000);
      expect(ends).toEqual(["slow_reader"]);
      expect(seen.written).toBeLessThan(1000);
    } finally {
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("a client that stops reading", () => {
  it("is cut once more than HTTP_SUBSCRIPTION_MAX_BUFFERED_BYTES wait unsent, and its source released", async () => {
    const ends: HttpStreamEnd[] = [];
    const streams = registry(ends);
    let released = 0;
    let written = 0;
    let buffered = 0;
    const chunk = "x".repeat(64 * 1024);
    const server = http.createServer((_req, res) => {
      const open = openStream(streams, res, () => void released++);
      const pump = () => {
        buffered = Math.max(buffered, res.writableLength);
        if (!open.write(chunk)) return;
        written += chunk.length;
        setImmediate(pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    socket.once("data", () => socket.pause()); // reads the first bytes, then nothing more
    try {
      await eventually(() => ends.length === 1, 20_000);
      expect(ends).toEqual(["slow_reader"]);
      expect(released).toBe(1);
      expect(streams.size).toBe(0);
      // Never more than the bound plus one write waits in the gateway; the rest is the kernel's.
      expect(buffered).toBeLessThanOrEqual(256 * 1024 + chunk.length);
      expect(written).toBeLessThan(512 * 2 ** 20);
    } finally {
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
