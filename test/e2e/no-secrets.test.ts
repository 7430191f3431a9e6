/** No configured secret ever appears in the gateway's output, even at trace level and on errors. */
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apolloClient } from "../helpers/clients.js";
import { gql, quoteAndSubmit } from "../helpers/graphql.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { gql as tag } from "@apollo/client";

const SECRETS = {
  ATRIP_CLIENT_SECRET: "atrip-secret-Zq8xW2",
  ALITRIP_APP_SECRET: "alitrip-secret-Pp4mN7",
  ALITRIP_SESSION: "alitrip-session-Hh3kL9",
  CTT_SIGN_KEY: "ctt-sign-key-Rr6tY1",
  JWT_SECRET: "jwt-secret-Vv5bN8-0123456789abcdefghij",
  ATRIP_WEBHOOK_TOKEN: "webhook-token-Kk2jD4abcdef",
};
const KEY = "api-key-Ee7uI3-0123456789";

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGatewayProcess({
    ...SECRETS,
    API_KEYS: JSON.stringify([{ key: KEY, tenant: "acme", scopes: ["read", "write"] }]),
    LOG_LEVEL: "trace",
  });
});
afterAll(async () => gw?.stop());

describe("logs", () => {
  it("never contain a secret, an API key or a JWT", async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const jwt = await new SignJWT({ tenant: "acme", scope: "read write" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRETS.JWT_SECRET));
    const expired = await new SignJWT({ tenant: "acme", scope: "read" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(SECRETS.JWT_SECRET));
    await quoteAndSubmit(gw.url, `ATR-VOID-DEPOSIT-${Date.now()}`, auth);
    await gql(gw.url, `{ suppliers { supplier } }`, {}, { authorization: `Bearer ${jwt}` });
    await gql(gw.url, `{ suppliers { supplier } }`, {}, { authorization: `Bearer ${expired}` });
    await gql(gw.url, `{ suppliers { supplier } }`, {}, { authorization: `Bearer ${KEY}x` });
    await gql(gw.url, `mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-TICKET-USED" }) { orderNo } }`, {}, auth);
    await apolloClient(gw.url, auth)
      .mutate({ mutation: tag`mutation { cancelOrder(input: { supplier: ALITRIP, orderNo: "ALI-TICKETED", subChannel: "c1" }) { orderNo } }` })
      .catch(() => undefined);
    await apolloClient(gw.url, auth)
      .mutate({ mutation: tag`mutation { cancelOrder(input: { supplier: CTT, orderNo: "CTT-CANCEL-OK-1" }) { orderNo } }` })
      .catch(() => undefined);
    const hook = gw.url.replace("/graphql", `/webhooks/atrip/${SECRETS.ATRIP_WEBHOOK_TOKEN}`);
    await fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body: "{broken" });
    await new Promise((r) => setTimeout(r, 500));
    await gw.stop("SIGTERM");
    const out = gw.output();
    expect(out.length).toBeGreaterThan(200);
    for (const [name, value] of Object.entries({ ...SECRETS, API_KEY: KEY, JWT: jwt, EXPIRED_JWT: expired })) {
      expect(out.includes(value), `${name} appeared in the logs`).toBe(false);
    }
  });
});
