/**
 * Hardening issue, item 8: request errors go through pino. A malformed body, an oversized
 * body and an oversized websocket message each give one JSON log line (no stack trace, nothing
 * of the body) and a clean JSON answer; nothing reaches stderr. Runs the built gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";

let gw: GatewayProcess;
let stderr = "";
beforeAll(async () => {
  gw = await startGatewayProcess({ LOG_LEVEL: "info" });
  gw.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
});
afterAll(async () => {
  await gw?.stop();
});

/** The JSON log lines written since `from` (an offset into the output) that match `msg`. */
function lines(from: number, msg: string): Array<Record<string, unknown>> {
  return gw
    .output()
    .slice(from)
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);
}

/** Resolves once the output holds `n` log lines with `msg` after `from`. */
function logged(from: number, msg: string, n = 1): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${msg}" line within 5 s:\n${gw.output().slice(from)}`)), 5000);
    const check = () => {
      const found = lines(from, msg);
      if (found.length < n) return;
      clearTimeout(timer);
      gw.child.stdout!.off("data", check);
      resolve(found);
    };
    gw.child.stdout!.on("data", check);
    check();
  });
}

const MARKER = "BODY-FRAGMENT-7f3a";

async function stillServing(): Promise<void> {
  const res = await fetch(gw.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
    signal: AbortSignal.timeout(5000),
  });
  expect(res.status).toBe(200);
}

describe("request errors through the logger (hardening item 8)", () => {
  it.each([
    ["a malformed JSON body", `{"query": "{ suppliers } ${MARKER}`, 400, /not valid JSON/, "entity.parse.failed"],
    [
      "an oversized body",
      JSON.stringify({ query: "{ suppliers { supplier } }", pad: MARKER.repeat(20_000) }),
      413,
      /larger than 102400 bytes/,
      "entity.too.large",
    ],
    [
      "a body that is not UTF-8 (not read with U+FFFD in place of its bytes)",
      Buffer.concat([Buffer.from(`{"query": "{ suppliers { supplier } }", "x": "${MARKER}`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      400,
      /not valid UTF-8/,
      "entity.not.utf8",
    ],
  ])("%s: one JSON log line, a clean JSON answer, nothing on stderr", async (_what, body, status, message, type) => {
    const from = gw.output().length;
    const res = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-errors-1" },
      body,
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const json = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0].message).toMatch(message);
    expect(json.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(JSON.stringify(json)).not.toContain(MARKER);

    const [line] = await logged(from, "request refused");
    expect(line).toMatchObject({ requestId: "req-errors-1", method: "POST", route: "/graphql", status, type });
    const out = gw.output().slice(from);
    expect(out).not.toContain(MARKER);
    expect(out).not.toMatch(/^\s+at /m);
    expect(lines(from, "request refused")).toHaveLength(1);
    expect(stderr).toBe("");
    await stillServing();
  });

  it("a GET whose query string is not UTF-8 once percent-decoded is a 400 (not read with U+FFFD); a stray % is text", async () => {
    const query = encodeURIComponent("query Q($x: String!) { __type(name: $x) { name } }");
    const get = (search: string, accept = "application/json") =>
      fetch(`${gw.url}?query=${query}${search}`, {
        headers: { accept, "x-request-id": "req-errors-url", "apollo-require-preflight": "1" },
      });
    const from = gw.output().length;
    for (const accept of ["application/json", "text/event-stream"]) {
      const bad = await get(`&variables=${encodeURIComponent('{"x":"')}%FF%22%7D`, accept);
      expect(bad.status).toBe(400);
      const json = (await bad.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(json.errors[0]).toMatchObject({ message: expect.stringMatching(/not valid UTF-8/), extensions: { code: "BAD_REQUEST" } });
    }
    const [line] = await logged(from, "request refused");
    expect(line).toMatchObject({ requestId: "req-errors-url", method: "GET", status: 400, type: "url.not.utf8" });
    const fine = await get(`&variables=${encodeURIComponent('{"x":"é')}%"}`);
    expect(fine.status).toBe(200);
    expect(await fine.json()).toEqual({ data: { __type: null } });
    expect(stderr).toBe("");
  });

  it("a refused credential and a webhook to a wrong token: one info line each, with why, never the credential or the token", async () => {
    const from = gw.output().length;
    const res = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${MARKER}`, "x-request-id": "req-errors-401" },
      body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
    });
    expect(res.status).toBe(401);
    const [refused] = await logged(from, "request refused");
    expect(refused).toMatchObject({
      level: 30,
      requestId: "req-errors-401",
      route: "/graphql",
      status: 401,
      code: "UNAUTHENTICATED",
      reason: "Not authenticated: the credential is not valid",
    });

    const hook = await fetch(gw.url.replace("/graphql", `/webhooks/atrip/${MARKER}`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(hook.status).toBe(404);
    const [webhook] = await logged(from, "webhook refused: no intake at this path (supplier or token wrong)");
    expect(webhook).toMatchObject({ level: 30, route: "/webhooks", status: 404, supplier: "ATRIP" });
    expect(gw.output().slice(from)).not.toContain(MARKER);
    // Once, though the request is handed from one execution path to the other.
    expect(lines(from, "request refused").filter((l) => l.requestId === "req-errors-401")).toHaveLength(1);
    expect(stderr).toBe("");
  });

  it("with API keys configured, a request refused before its body is read is logged the same way", async () => {
    const keyed = await startGatewayProcess({
      LOG_LEVEL: "info",
      API_KEYS: JSON.stringify([{ key: "request-errors-key-0123456789", tenant: "acme", scopes: ["read"] }]),
    });
    try {
      const res = await fetch(keyed.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${MARKER}`, "x-request-id": "req-errors-gate" },
        body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
      });
      expect(res.status).toBe(401);
      await expect.poll(() => keyed.output()).toContain('"req-errors-gate"');
      const line = keyed
        .output()
        .split("\n")
        .find((l) => l.includes('"req-errors-gate"'));
      expect(JSON.parse(line!)).toMatchObject({
        level: 30,
        msg: "request refused",
        status: 401,
        code: "UNAUTHENTICATED",
        reason: "Not authenticated: the credential is not valid",
      });
      expect(keyed.output()).not.toContain(MARKER);
    } finally {
      await keyed.stop();
    }
  });

  it("an oversized websocket message: one log line, close 1009, nothing on stderr", async () => {
    const from = gw.output().length;
    const ws = new WebSocket(gw.wsUrl, "graphql-transport-ws");
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => ws.on("close", resolve));
    ws.send(JSON.stringify({ type: "connection_init", payload: { pad: MARKER.repeat(300_000) } }));
    expect(await closed).toBe(1009);
    const [line] = await logged(from, "websocket closed: the client broke the protocol");
    expect(line).toMatchObject({ code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" });
    const out = gw.output().slice(from);
    expect(out).not.toContain(MARKER);
    expect(out).not.toMatch(/^\s+at |Please check your implementation/m);
    expect(stderr).toBe("");
    await stillServing();
  });
});
