/** CORS_ORIGINS holds for the websocket too: a browser origin outside the list is refused at the handshake. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ CORS_ORIGINS: "https://app.example.com" });
});
afterAll(async () => t?.close());

function handshake(origin?: string, protocol = "graphql-transport-ws"): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(t.wsUrl, protocol, origin ? { origin } : {});
    socket.once("open", () => {
      socket.close();
      resolve("open");
    });
    socket.once("unexpected-response", (_req, res) => resolve(`HTTP ${res.statusCode}`));
    socket.once("error", () => undefined);
  });
}

describe("websocket origins", () => {
  it("accepts a listed origin and clients that send none; refuses any other origin with 403", async () => {
    expect(await handshake("https://app.example.com")).toBe("open");
    expect(await handshake()).toBe("open");
    expect(await handshake("https://evil.example")).toBe("HTTP 403");
    // The origin is checked first; a listed one must still offer graphql-transport-ws.
    expect(await handshake("https://evil.example", "graphql-ws")).toBe("HTTP 403");
    expect(await handshake("https://app.example.com", "graphql-ws")).toBe("HTTP 400");
  });
});
