/**
 * A supplier (or a proxy before it) that echoes the request: the gateway's credentials must not
 * come back out of it, to a client, a log or the store (datasources/http.ts, `secrets`). Each
 * datasource against a real HTTP server that writes the request's headers and body into its
 * answer, in the supplier's own error shape, and as an HTTP 500 page.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlitripAdapter } from "../../datasources/alitrip/index.js";
import { createAtripAdapter } from "../../datasources/atrip/index.js";
import { createCttAdapter } from "../../datasources/ctt/index.js";
import { SupplierHttp } from "../../datasources/http.js";
import { redactSecrets } from "../../datasources/redact.js";
import { SupplierError } from "../../src/vocabulary/errors.js";

// Each with characters that are escaped in JSON or URL-encoded when written back.
const ATRIP_SECRET = 'atrip-"secret"+/Zq81';
const TOP = { appKey: "app-echo", appSecret: "top-app-secret-Hh27", session: "top-session+/=&Kx90" };
const CTT_KEY = "ctt-sign-key-Pp55";

/**
 * What the echo server answers: the supplier's error shape; the same with every character JSON
 * allows to be escaped written as \uXXXX and "/" as "\/" (as some encoders do: .NET escapes "+"
 * and "&", PHP writes "\/"); or an HTTP 500 text page.
 */
let mode: "shape" | "escaped" | "page" = "shape";
let lastBody = "";

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

let server: Server;
let base = "";
const http = new SupplierHttp();

beforeAll(async () => {
  server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      lastBody = body;
      const echo = `you sent ${JSON.stringify(req.headers)} ${body}`;
      if (mode === "page") {
        res.writeHead(500, { "content-type": "text/plain" }).end(echo);
        return;
      }
      const reply = req.url!.startsWith("/router")
        ? { error_response: { code: 27, msg: "Invalid session", sub_msg: echo } }
        : req.url!.startsWith("/api/")
          ? { code: -2, message: echo }
          : { status: 900, msg: echo };
      const text = JSON.stringify(reply);
      const escaped = text.replace(/[+&=/]/g, (c) =>
        c === "/" ? "\\/" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`,
      );
      res.writeHead(200, { "content-type": "application/json" }).end(mode === "escaped" ? escaped : text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SupplierError);
  const e = err as SupplierError;
  return JSON.stringify({ message: e.message, supplierMessage: e.supplierMessage, extensions: e.extensions() });
}

const atrip = () =>
  createAtripAdapter({ baseUrl: `${base}/`, clientId: "echo-client", clientSecret: ATRIP_SECRET, timeoutMs: 2000 }, http, false);
const alitrip = () => createAlitripAdapter({ routerUrl: `${base}/router/rest`, ...TOP, signMethod: "md5", timeoutMs: 2000 }, http, false);
const ctt = () => createCttAdapter({ baseUrl: base, signKey: CTT_KEY, timeoutMs: 2000 }, http, false);

describe.each(["shape", "escaped", "page"] as const)("a supplier that echoes the request (%s)", (as) => {
  beforeAll(() => {
    mode = as;
  });

  it("ATRIP: the client secret is redacted from what the gateway reports", async () => {
    const said = await refusal(atrip().voids!.quote("ECHO-1"));
    expect(said).toContain("[redacted]");
    expect(said).toContain("echo-client");
    expect(said).not.toContain("Zq81");
  });

  it("Alitrip: the session and the request's sign are redacted", async () => {
    const said = await refusal(alitrip().cancels!.cancel({ orderNo: "ECHO-2", subChannel: "corp001" }));
    const sign = new URLSearchParams(lastBody).get("sign")!;
    expect(sign).toMatch(/^[0-9A-F]{32}$/);
    expect(said).toContain("[redacted]");
    expect(said).toContain("app-echo");
    for (const secret of ["Kx90", sign]) expect(said).not.toContain(secret);
  });

  it("CTT: the request's sign (replayable for ten minutes) is redacted", async () => {
    const said = await refusal(ctt().cancels!.cancel({ orderNo: "ECHO-3", passengerIds: ["P1"] }));
    const sign = (JSON.parse(lastBody) as { sign: string }).sign;
    expect(sign.length).toBeGreaterThanOrEqual(8);
    expect(said).toContain("[redacted]");
    expect(said).toContain("ECHO-3");
    expect(said).not.toContain(sign);
  });
});

describe("redactSecrets", () => {
  it("finds a credential as sent, JSON-escaped once or twice, URL- or form-encoded; short ones are not looked for", () => {
    const secret = 'a "b"+/ c&=d';
    const written = [
      secret,
      JSON.stringify(secret),
      JSON.stringify(JSON.stringify(secret)),
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString(),
    ];
    for (const text of written) expect(redactSecrets(`x ${text} y`, [secret])).not.toMatch(/b.*c/);
    expect(redactSecrets(`x ${encodeURIComponent(secret).toLowerCase()} y`, [secret])).not.toMatch(/b.*c/);
    expect(redactSecrets("sign 0a1b2c3d4e5f6a7b", ["0A1B2C3D4E5F6A7B"])).toBe("sign [redacted]");
    expect(redactSecrets("short 1234567", ["1234567"])).toBe("short 1234567");
    expect(redactSecrets("no secrets", undefined)).toBe("no secrets");
  });
});
