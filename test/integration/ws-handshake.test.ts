/**
 * The websocket handshake (src/server/ws/handshake.ts, serve.ts): on every path HTTP serves
 * GraphQL on, and refused with a 400 that says why when the graphql-transport-ws subprotocol is
 * not offered (the legacy "graphql-ws" one of subscriptions-transport-ws included).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

/** "open <protocol>" or "HTTP <status> <body>". */
function handshake(path: string, protocols?: string[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(t.wsUrl.replace("/graphql", path), protocols);
    socket.once("open", () => {
      resolve(`open ${socket.protocol}`);
      socket.close();
    });
    socket.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += String(c)));
      res.on("end", () =>
        resolve(`HTTP ${res.statusCode} ${res.statusCode === 400 && body ? `(${res.headers["content-type"]}) ` : ""}${body}`),
      );
    });
    socket.once("error", () => undefined);
  });
}

describe("the websocket handshake", () => {
  it("is served on /graphql, /graphql/ and with a query string, as HTTP is; nowhere else", async () => {
    expect(await handshake("/graphql", ["graphql-transport-ws"])).toBe("open graphql-transport-ws");
    expect(await handshake("/graphql/", ["graphql-transport-ws"])).toBe("open graphql-transport-ws");
    expect(await handshake("/graphql?app=ios", ["graphql-transport-ws"])).toBe("open graphql-transport-ws");
    expect(await handshake("/other", ["graphql-transport-ws"])).toMatch(/^HTTP 400/);
  });

  it("picks graphql-transport-ws among others offered", async () => {
    expect(await handshake("/graphql", ["graphql-ws", "graphql-transport-ws"])).toBe("open graphql-transport-ws");
  });

  it("refuses the legacy graphql-ws subprotocol, or none, with a 400 that says what to use", async () => {
    expect(await handshake("/graphql", ["graphql-ws"])).toMatch(
      /^HTTP 400 \(text\/plain; charset=utf-8\) The legacy "graphql-ws" subprotocol \(subscriptions-transport-ws\) is not served: use "graphql-transport-ws"/,
    );
    expect(await handshake("/graphql")).toMatch(/^HTTP 400 \(text\/plain; charset=utf-8\) Offer the "graphql-transport-ws" subprotocol/);
    expect(await handshake("/graphql/", ["chat"])).toMatch(
      /^HTTP 400 \(text\/plain; charset=utf-8\) Offer the "graphql-transport-ws" subprotocol/,
    );
  });
});
