/**
 * The supplier transport (datasources/http.ts) against a real local HTTP server: reply
 * decoding, size cap, timeouts that cover the body, keep-alive reuse, and never a resend.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Deadline } from "../../datasources/deadline.js";
import { replyJson } from "../../datasources/errors.js";
import { retryAfterSecondsOf, SupplierHttp, type CallRecord, type HttpCall } from "../../datasources/http.js";
import { OUTCOME_HINT, SupplierError } from "../../src/vocabulary/errors.js";
import { outcomeUnknown } from "../../src/tracking/outcome.js";
import { failure } from "../helpers/failure.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let handler: Handler = (_req, res) => res.end("{}");
let requests = 0;
let connections = 0;
const server = http.createServer((req, res) => {
  requests += 1;
  req.resume();
  req.on("end", () => handler(req, res));
});
server.on("connection", () => (connections += 1));
const transport = new SupplierHttp();
let base = "";

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  requests = 0;
});

function call(over: Partial<HttpCall> = {}): HttpCall {
  return {
    supplier: "ATRIP",
    operation: "test.do",
    url: `${base}/test.do`,
    headers: { "Content-Type": "application/json" },
    body: "{}",
    timeoutMs: 1000,
    changesState: false,
    ...over,
  };
}

const JSON_TEXT = '{"status":0,"msg":"成功","amount":1280.50}';

describe("supplier HTTP transport", () => {
  it("sends each call to its URL's path and query (URLs are parsed once and kept)", async () => {
    const seen: string[] = [];
    handler = (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      res.end("{}");
    };
    const url = `${base}/router/rest?format=json&v=2.0`;
    await transport.post(call({ url }));
    await transport.post(call({ url }));
    await transport.post(call({ url: `${base}/api/order/cancel` }));
    expect(seen).toEqual([
      "POST /router/rest?format=json&v=2.0 application/json",
      "POST /router/rest?format=json&v=2.0 application/json",
      "POST /api/order/cancel application/json",
    ]);
  });

  it.each([
    ["gzip", zlib.gzipSync],
    ["deflate", zlib.deflateSync],
    ["br", zlib.brotliCompressSync],
  ] as const)("decodes a %s reply", async (encoding, encode) => {
    handler = (_req, res) => res.writeHead(200, { "Content-Encoding": encoding }).end(encode(Buffer.from(JSON_TEXT)));
    expect((await transport.post(call())).text).toBe(JSON_TEXT);
  });

  it("decodes a large gzip reply (off the event loop) intact", async () => {
    const big = JSON.stringify({ items: Array.from({ length: 40_000 }, (_, i) => `${i}-${Math.random()}`) });
    handler = (_req, res) => res.writeHead(200, { "Content-Encoding": "gzip" }).end(zlib.gzipSync(big));
    expect(zlib.gzipSync(big).length).toBeGreaterThan(64 * 1024);
    expect((await transport.post(call())).text).toBe(big);
  });

  it("an unknown Content-Encoding is an unreadable reply, not garbage text", async () => {
    handler = (_req, res) => res.writeHead(200, { "Content-Encoding": "zstd" }).end("xx");
    const read = await failure(transport.post(call()));
    expect(read.code).toBe("SUPPLIER_BAD_RESPONSE");
    expect(read.message).toContain("zstd");
    expect((await failure(transport.post(call({ changesState: true })))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
  });

  it("a reply over 8 MiB is refused", async () => {
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(Buffer.alloc(9 * 1024 * 1024, 32));
    expect((await failure(transport.post(call()))).code).toBe("SUPPLIER_BAD_RESPONSE");
  });

  it("a compressed reply that decodes to over 8 MiB is refused too (a few KB of gzip can decode to gigabytes)", async () => {
    const padded = `{"status":0,"pad":"${"a".repeat(60 * 1024 * 1024)}"}`;
    let asyncCases = 0;
    for (const [encoding, body] of [
      ["gzip", zlib.gzipSync(padded)],
      ["br", zlib.brotliCompressSync(padded)],
      // Over 64 KB compressed (random text does not compress): decoded off the event loop, bounded the same.
      ["gzip", zlib.gzipSync(`{"noise":"${randomBytes(96 * 1024).toString("base64")}",${padded.slice(1)}`)],
    ] as const) {
      handler = (_req, res) => res.writeHead(200, { "Content-Encoding": encoding }).end(body);
      if (body.length > 64 * 1024) asyncCases += 1;
      const read = await failure(transport.post(call()));
      expect(read.code).toBe("SUPPLIER_BAD_RESPONSE");
      expect(read.message).toContain("decodes to more than 8388608 bytes");
    }
    expect(asyncCases).toBe(1);
    expect((await failure(transport.post(call({ changesState: true })))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
  });

  it("a reply is read in the charset its Content-Type names, gzipped or not; UTF-8 when it names none", async () => {
    // 取消失败 in GBK: read as UTF-8 it was "ȡ��ʧ��", and a refused cancel looked done (probe).
    const gbk = Buffer.concat([Buffer.from('{"result_msg":"'), Buffer.from("c8a1cffbcaa7b0dc", "hex"), Buffer.from('"}')]);
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json;charset=GBK" }).end(gbk);
    expect((await transport.post(call())).text).toBe('{"result_msg":"取消失败"}');
    handler = (_req, res) =>
      res.writeHead(200, { "Content-Type": 'application/json; charset="gb18030"', "Content-Encoding": "gzip" }).end(zlib.gzipSync(gbk));
    expect((await transport.post(call())).text).toBe('{"result_msg":"取消失败"}');
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON_TEXT);
    expect((await transport.post(call())).text).toBe(JSON_TEXT);
  });

  it("a charset Node does not know: read as UTF-8 when it is that, an unreadable reply when not; Windows' cp936 is GBK", async () => {
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json; charset=x-klingon" }).end(JSON_TEXT);
    expect((await transport.post(call())).text).toBe(JSON_TEXT);
    const gbk = Buffer.concat([Buffer.from('{"result_msg":"'), Buffer.from("c8a1cffbcaa7b0dc", "hex"), Buffer.from('"}')]);
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json; charset=x-klingon" }).end(gbk);
    const read = await failure(transport.post(call()));
    expect(read.code).toBe("SUPPLIER_BAD_RESPONSE");
    expect(read.message).toContain('the charset "x-klingon" cannot be decoded, and the text is not UTF-8');
    expect((await failure(transport.post(call({ changesState: true })))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json; charset=CP936" }).end(gbk);
    expect((await transport.post(call())).text).toBe('{"result_msg":"取消失败"}');
  });

  it("bytes not valid in the reply's charset make it unreadable, not read with U+FFFD: a state change's outcome is unknown", async () => {
    // 取消失败 (cancel failed) in GBK, sent with no charset: read leniently, "ȡ��ʧ��" made a
    // refused cancel look done (property-based probe, thirty-second session).
    const gbk = Buffer.concat([Buffer.from('{"result_msg":"'), Buffer.from("c8a1cffbcaa7b0dc", "hex"), Buffer.from('"}')]);
    for (const [contentType, said] of [
      ["application/json", "the text is not valid UTF-8, and its Content-Type names no charset"],
      ["application/json; charset=utf-8", "the text is not valid UTF-8"],
      ["application/json; charset=shift_jis", "the text is not valid shift_jis"],
    ]) {
      const body = contentType.endsWith("shift_jis") ? Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x82, 0x22, 0x7d]) : gbk;
      handler = (_req, res) => res.writeHead(200, { "Content-Type": contentType }).end(body);
      const read = await failure(transport.post(call()));
      expect([read.code, read.message]).toEqual(["SUPPLIER_BAD_RESPONSE", expect.stringContaining(said)]);
      expect((await failure(transport.post(call({ changesState: true })))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    }
    // Gzipped: the same.
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" }).end(zlib.gzipSync(gbk));
    expect((await failure(transport.post(call()))).code).toBe("SUPPLIER_BAD_RESPONSE");
  });

  it("a reply whose charset cannot be told is unreadable: two charsets named, or another than UTF-8 for bytes that are UTF-8", async () => {
    // 取消失败 (cancel failed) in UTF-8: valid GBK and valid ISO-8859-1 too, read as either it
    // was noise, and a refused Alitrip cancel was reported as done (black-box probe, thirty-third session).
    const utf8 = Buffer.from('{"result_msg":"取消失败"}');
    for (const [contentType, said] of [
      ["application/json; charset=gbk; charset=utf-8", "the Content-Type names 2 charsets (gbk, utf-8)"],
      ["application/json; charset=UTF-8; charset=iso-8859-1", "the Content-Type names 2 charsets"],
      ["application/json; charset=iso-8859-1", "the text is valid UTF-8, but its Content-Type names iso-8859-1"],
      ["application/json; charset=gbk", "the text is valid UTF-8, but its Content-Type names gbk"],
    ]) {
      handler = (_req, res) => res.writeHead(200, { "Content-Type": contentType }).end(utf8);
      const read = await failure(transport.post(call()));
      expect([read.code, read.message]).toEqual(["SUPPLIER_BAD_RESPONSE", expect.stringContaining(said)]);
      expect((await failure(transport.post(call({ changesState: true })))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    }
    // One charset named twice is one; text that is only valid in the charset named is read in it.
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json; charset=utf-8; charset=UTF8" }).end(utf8);
    expect((await transport.post(call())).text).toBe('{"result_msg":"取消失败"}');
    handler = (_req, res) =>
      res.writeHead(200, { "Content-Type": "application/json; charset=iso-8859-1" }).end(Buffer.from('{"m":"caf\xe9"}', "latin1"));
    expect((await transport.post(call())).text).toBe('{"m":"café"}');
  });

  it("a reply opening with two byte order marks is not JSON", async () => {
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(`\uFEFF\uFEFF${JSON_TEXT}`);
    const read = await failure(
      transport.post(call(), (reply) => replyJson({ supplier: "ATRIP", operation: "test.do", changesState: false }, reply.text)),
    );
    expect(read.code).toBe("SUPPLIER_BAD_RESPONSE");
  });

  it("a JSON reply may open with a byte order mark", async () => {
    handler = (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(`\uFEFF${JSON_TEXT}`);
    const read = await transport.post(call(), (reply) =>
      replyJson({ supplier: "ATRIP", operation: "test.do", changesState: false }, reply.text),
    );
    expect(read).toMatchObject({ status: expect.anything(), msg: "成功" });
  });

  it("the timeout covers a body that stalls after the headers", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"status":');
      setTimeout(() => res.end("0}"), 600).unref();
    };
    const read = await failure(transport.post(call({ timeoutMs: 200 })));
    expect(read.code).toBe("SUPPLIER_TIMEOUT");
    const write = await failure(transport.post(call({ timeoutMs: 200, changesState: true })));
    expect(write.code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
  });

  it("429 carries Retry-After as retryAfterSeconds", async () => {
    handler = (_req, res) => res.writeHead(429, { "Retry-After": "7" }).end("slow down");
    const err = await failure(transport.post(call()));
    expect(err.code).toBe("SUPPLIER_RATE_LIMITED");
    expect(err.extensions()).toMatchObject({ retryAfterSeconds: 7 });
    // Or as an HTTP date.
    handler = (_req, res) => res.writeHead(429, { "Retry-After": new Date(Date.now() + 30_000).toUTCString() }).end();
    const dated = (await failure(transport.post(call()))).extensions().retryAfterSeconds as number;
    expect(dated).toBeGreaterThanOrEqual(28);
    expect(dated).toBeLessThanOrEqual(31);
  });

  it("a read's 503 carries Retry-After too; a state-changing call's does not (the client must query first)", async () => {
    handler = (_req, res) => res.writeHead(503, { "Retry-After": "2" }).end();
    const read = await failure(transport.post(call()));
    expect(read.extensions()).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true, retryAfterSeconds: 2 });
    const write = await failure(transport.post(call({ changesState: true })));
    expect(write.extensions()).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: false });
    expect(write.extensions().retryAfterSeconds).toBeUndefined();
  });

  it("reads Retry-After as seconds or an HTTP date, and nothing else", () => {
    const now = Date.parse("2026-10-21T07:28:00Z");
    expect(retryAfterSecondsOf("120", now)).toBe(120);
    expect(retryAfterSecondsOf("Wed, 21 Oct 2026 07:28:30 GMT", now)).toBe(30);
    expect(retryAfterSecondsOf("Wed, 21 Oct 2026 07:27:00 GMT", now)).toBe(0);
    for (const odd of [null, "", "soon", "-5", "1.5", "2026-10-21"]) expect(retryAfterSecondsOf(odd, now)).toBeUndefined();
    // RFC 9110: all three HTTP-date formats, each UTC whatever the host's zone (asctime names none).
    expect(retryAfterSecondsOf("Wednesday, 21-Oct-26 07:28:30 GMT", now)).toBe(30);
    const tz = process.env.TZ;
    try {
      for (const zone of ["UTC", "America/New_York", "Pacific/Chatham"]) {
        process.env.TZ = zone;
        expect(retryAfterSecondsOf("Wed Oct 21 07:28:30 2026", now)).toBe(30);
        expect(retryAfterSecondsOf("Wed Oct  1 07:28:30 2026", Date.UTC(2026, 9, 1, 7, 28))).toBe(30);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    // Not HTTP dates (read by Date.parse in the host's zone, or rolled over): unreadable.
    for (const odd of [
      "2026-10-21T07:28:30",
      "Wed, 21 Oct 2026 07:28:30",
      "Sat, 31 Feb 2026 07:28:30 GMT",
      "Wed, 21 Oct 2026 24:00:00 GMT",
    ])
      expect(retryAfterSecondsOf(odd, now)).toBeUndefined();
  });

  it("a redirect is not followed, and is the supplier's URL being wrong, not the client's request; after a 301-303 a state change may have happened", async () => {
    let other = 0;
    let status = 307;
    handler = (req, res) => {
      if (req.url === "/moved") other += 1;
      res.writeHead(status, { Location: `${base}/moved` }).end();
    };
    for (const changesState of [false, true]) {
      const err = await failure(transport.post(call({ changesState })));
      expect(err.extensions()).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "HTTP 307", retryable: true });
      expect(err.hint).toMatch(/follows no redirects/);
      expect(err.transportFailure).toBe(true);
    }
    for (status of [301, 302, 303]) {
      expect((await failure(transport.post(call()))).retryable).toBe(true);
      // Also how a server answers a POST it acted on (post/redirect/get).
      const acted = await failure(transport.post(call({ changesState: true })));
      expect(acted).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: false, hint: OUTCOME_HINT });
      expect(outcomeUnknown(acted)).toBe(true);
    }
    expect(other).toBe(0);
  });

  it.each([
    ["no status line", "garbage\r\n\r\n"],
    ["a Content-Length that is not a number", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}"],
    ["a broken chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
  ])(
    "a reply that is not valid HTTP (%s) is an unparseable reply to a read, counted by the breaker; to a state change, an unknown outcome",
    async (_what, raw) => {
      handler = (req) => req.socket.end(raw);
      // A transport of its own: the shared one's keep-alive connections are counted below.
      const own = new SupplierHttp();
      const read = await failure(own.post(call()));
      expect(read.extensions()).toMatchObject({ code: "SUPPLIER_BAD_RESPONSE", supplierCode: null, retryable: false });
      expect(read.message).toMatch(/not valid HTTP/);
      expect(read.transportFailure).toBe(true);
      const change = await failure(own.post(call({ changesState: true })));
      expect(change).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false, hint: OUTCOME_HINT });
      await own.close();
    },
  );

  it("reuses keep-alive connections", async () => {
    handler = (_req, res) => res.end(JSON_TEXT);
    await transport.post(call());
    const before = connections;
    for (let i = 0; i < 20; i++) await transport.post(call());
    expect(connections).toBe(before);
    expect(requests).toBe(21);
  });

  it("a state-changing call whose connection drops is sent once, never again", async () => {
    handler = (req) => req.socket.destroy();
    const err = await failure(transport.post(call({ changesState: true })));
    expect(err.code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    await new Promise((r) => setTimeout(r, 100));
    expect(requests).toBe(1);
  });

  it("tells its observers the outcome after the caller read the reply: one it refuses counts under the code it threw", async () => {
    const seen: CallRecord[] = [];
    const observed = new SupplierHttp([(c) => seen.push(c)]);
    try {
      handler = (_req, res) => res.end(JSON_TEXT);
      expect(await observed.post(call(), (r) => r.text)).toBe(JSON_TEXT);
      const refuse = () => {
        throw new SupplierError("SUPPLIER_BAD_RESPONSE", "not what was expected", { supplier: "ATRIP", retryable: false });
      };
      expect((await failure(observed.post(call(), refuse))).code).toBe("SUPPLIER_BAD_RESPONSE");
      handler = (_req, res) => res.writeHead(503).end("down");
      expect((await failure(observed.post(call(), () => "read"))).code).toBe("SUPPLIER_UNAVAILABLE");
      expect(seen.map((c) => [c.outcome, c.httpStatus])).toEqual([
        ["OK", 200],
        ["SUPPLIER_BAD_RESPONSE", 200],
        ["SUPPLIER_UNAVAILABLE", 503],
      ]);
    } finally {
      await observed.close();
    }
  });

  it("a state-changing call with less than half its time left is not sent (SUPPLIER_TIMEOUT, retryable); a read still is", async () => {
    handler = (_req, res) => res.end(JSON_TEXT);
    const scope = { deadline: new Deadline(Date.now() + 400, 1000) };
    const err = await failure(transport.post(call({ changesState: true, scope })));
    expect(err).toMatchObject({ code: "SUPPLIER_TIMEOUT", retryable: true, notSent: true });
    expect(err.message).toMatch(/was not sent/);
    expect(requests).toBe(0);
    expect((await transport.post(call({ scope }))).text).toBe(JSON_TEXT);
    expect(requests).toBe(1);
    const roomy = { deadline: new Deadline(Date.now() + 900, 1000) };
    expect((await transport.post(call({ changesState: true, scope: roomy }))).text).toBe(JSON_TEXT);
    expect(requests).toBe(2);
  });

  it("an attempt cut to what was left of the client call's time says so when it times out, with the supplier's timeout", async () => {
    handler = (_req, res) => void setTimeout(() => res.end(JSON_TEXT), 600).unref();
    const cut = await failure(transport.post(call({ scope: { deadline: new Deadline(Date.now() + 200, 1000) } })));
    expect(cut.code).toBe("SUPPLIER_TIMEOUT");
    expect(cut.message).toMatch(
      /^ATRIP test\.do did not answer within \d+ ms \(what was left of the client call's time; the timeout is 1000 ms\)$/,
    );
    const whole = await failure(transport.post(call({ timeoutMs: 200 })));
    expect(whole.message).toBe("ATRIP test.do did not answer within 200 ms");
  });
});
