/**
 * Bearer JWTs whose keys come from JWT_JWKS_URL (src/auth/jwt.ts), against a real key-set
 * server: a token signed with a listed key passes, one signed with another is refused (401),
 * and while the key set cannot be fetched a token is neither refused as bad nor answered with a
 * bare 500: 503 SERVICE_UNAVAILABLE, retryable, over HTTP; over the websocket a 1013 close (try
 * again later, which graphql-ws's client retries), not 4403.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";
import { freePort } from "../helpers/net.js";

const QUERY = "{ suppliers { supplier } }";
let listed: Awaited<ReturnType<typeof generateKeyPair>>;
let other: Awaited<ReturnType<typeof generateKeyPair>>;
let keys: Server;
let gateway: TestGateway;
let unreachable: TestGateway;

beforeAll(async () => {
  listed = await generateKeyPair("RS256");
  other = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK((await generateKeyPair("RS256")).publicKey)), kid: "unused", alg: "RS256" };
  const set = JSON.stringify({
    keys: [jwk, { ...(await exportJWK(listed.publicKey)), kid: "k1", alg: "RS256" }],
  });
  keys = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(set));
  await new Promise<void>((resolve) => keys.listen(0, "127.0.0.1", resolve));
  gateway = await startTestGateway({ JWT_JWKS_URL: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/jwks` });
  unreachable = await startTestGateway({ JWT_JWKS_URL: `http://127.0.0.1:${await freePort()}/jwks` });
});
afterAll(async () => {
  await gateway?.close();
  await unreachable?.close();
  await new Promise((resolve) => keys?.close(resolve));
});

const token = (key: CryptoKey, kid = "k1") =>
  new SignJWT({ tenant: "acme", scope: "read write" }).setProtectedHeader({ alg: "RS256", kid }).setExpirationTime("10m").sign(key);

async function post(
  url: string,
  jwt: string,
): Promise<{ status: number; retryAfter: string | null; body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ query: QUERY }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as never };
}

function wsClose(url: string, jwt: string): Promise<number> {
  const ws = new WebSocket(url, "graphql-transport-ws");
  return new Promise<number>((resolve) => {
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${jwt}` } })));
    ws.on("message", (m) => {
      if (JSON.parse(String(m)).type === "connection_ack") ws.close(1000);
    });
    ws.on("close", (c) => resolve(c));
  });
}

describe("JWTs from a JWKS URL", () => {
  it("a token signed with a listed key passes; one signed with another key is refused (401)", async () => {
    const good = await gql<{ suppliers: unknown[] }>(gateway.url, QUERY, {}, { authorization: `Bearer ${await token(listed.privateKey)}` });
    expect(good.errors).toBeUndefined();
    expect(good.data?.suppliers.length).toBeGreaterThan(0);
    const forged = await post(gateway.url, await token(other.privateKey));
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await wsClose(gateway.wsUrl, await token(listed.privateKey))).toBe(1000);
    expect(await wsClose(gateway.wsUrl, await token(other.privateKey))).toBe(4403);
  });

  it("while the key set cannot be fetched, a token is not refused as bad: 503 SERVICE_UNAVAILABLE, retryable; a 1013 close over the websocket", async () => {
    const answer = await post(unreachable.url, await token(listed.privateKey));
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe("5");
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    expect(await wsClose(unreachable.wsUrl, await token(listed.privateKey))).toBe(1013);
  });
});
