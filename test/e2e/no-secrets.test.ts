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
/** A tenant with its own supplier accounts (TENANT_SUPPLIER_ACCOUNTS): their secrets must not appear either. */
const OWN_KEY = "api-key-own-Tt4gH6-0123456789";
const TENANT_SECRETS = {
  TENANT_ATRIP_CLIENT_SECRET: "tenant-atrip-secret-Jj8wQ3",
  TENANT_ALITRIP_APP_SECRET: "tenant-alitrip-secret-Ll2zX5",
  TENANT_ALITRIP_SESSION: "tenant-alitrip-session-Mm6cV1",
  TENANT_CTT_SIGN_KEY: "tenant-ctt-key-Nn9bB7",
};
const TENANT_ACCOUNTS = JSON.stringify({
  initech: {
    ATRIP: { clientId: "initech-client", clientSecret: TENANT_SECRETS.TENANT_ATRIP_CLIENT_SECRET },
    ALITRIP: { appKey: "initech-app", appSecret: TENANT_SECRETS.TENANT_ALITRIP_APP_SECRET, session: TENANT_SECRETS.TENANT_ALITRIP_SESSION },
    CTT: { signKey: TENANT_SECRETS.TENANT_CTT_SIGN_KEY },
  },
});

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGatewayProcess({
    ...SECRETS,
    API_KEYS: JSON.stringify([
      { key: KEY, tenant: "acme", scopes: ["read", "write"] },
      { key: OWN_KEY, tenant: "initech", scopes: ["read", "write"] },
    ]),
    TENANT_SUPPLIER_ACCOUNTS: TENANT_ACCOUNTS,
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
      .mutate({
        mutation: tag`mutation { cancelOrder(input: { supplier: ALITRIP, orderNo: "ALI-TICKETED", subChannel: "c1" }) { orderNo } }`,
      })
      .catch(() => undefined);
    await apolloClient(gw.url, auth)
      .mutate({ mutation: tag`mutation { cancelOrder(input: { supplier: CTT, orderNo: "CTT-CANCEL-OK-1" }) { orderNo } }` })
      .catch(() => undefined);
    // The tenant with its own accounts, through successes and failures at every supplier.
    const own = { authorization: `Bearer ${OWN_KEY}` };
    await quoteAndSubmit(gw.url, `ATR-VOID-DEPOSIT-${Date.now()}`, own);
    await gql(gw.url, `mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-TICKET-USED-own" }) { orderNo } }`, {}, own);
    const cancel = (supplier: string, orderNo: string) =>
      gql<{ cancelOrder: { orderNo: string } }>(
        gw.url,
        `mutation { cancelOrder(input: { supplier: ${supplier}, orderNo: "${orderNo}", subChannel: "c1" }) { orderNo } }`,
        {},
        own,
      );
    expect((await cancel("ALITRIP", `ALI-CANCEL-OK-own${Date.now()}`)).data?.cancelOrder.orderNo).toMatch(/^ALI-CANCEL-OK-own/);
    expect((await cancel("CTT", `CTT-CANCEL-OK-own${Date.now()}`)).data?.cancelOrder.orderNo).toMatch(/^CTT-CANCEL-OK-own/);
    await cancel("ALITRIP", "ALI-TICKETED-own");
    const hook = gw.url.replace("/graphql", `/webhooks/atrip/${SECRETS.ATRIP_WEBHOOK_TOKEN}`);
    await fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body: "{broken" });
    await new Promise((r) => setTimeout(r, 500));
    await gw.stop("SIGTERM");
    const out = gw.output();
    expect(out.length).toBeGreaterThan(200);
    for (const [name, value] of Object.entries({
      ...SECRETS,
      ...TENANT_SECRETS,
      API_KEY: KEY,
      OWN_API_KEY: OWN_KEY,
      JWT: jwt,
      EXPIRED_JWT: expired,
    })) {
      expect(out.includes(value), `${name} appeared in the logs`).toBe(false);
    }
  });
});
