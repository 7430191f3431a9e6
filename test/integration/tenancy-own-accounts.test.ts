/**
 * Tenants with their own supplier accounts (TENANT_SUPPLIER_ACCOUNTS; hardening issue, item
 * 4), through the app over real HTTP against the real simulators, which know every account and
 * show each only the orders it booked: every call for a tenant — its requests and the
 * background tracking of its records — carries its own credentials, a tenant without an
 * account uses the gateway's, and the supplier itself keeps one tenant from another's order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { bearer } from "../helpers/auth.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, quoteAndSubmit, SUBMIT } from "../helpers/graphql.js";

const KEYS = { acme: "acme-own-key-0123456789", globex: "globex-own-key-0123456789", initech: "initech-shared-key-0123456789" };
const ACCOUNTS = {
  acme: {
    ATRIP: { clientId: "acme-client", clientSecret: "acme-atrip-secret" },
    ALITRIP: { appKey: "acme-app", appSecret: "acme-app-secret", session: "acme-session", subChannel: "acmecorp" },
    CTT: { signKey: "acme-ctt-key" },
  },
  globex: {
    ATRIP: { clientId: "globex-client", clientSecret: "globex-atrip-secret" },
    CTT: { signKey: "globex-ctt-key" },
  },
};
const A = bearer(KEYS.acme);
const B = bearer(KEYS.globex);
const C = bearer(KEYS.initech);

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    API_KEYS: JSON.stringify(Object.entries(KEYS).map(([tenant, key]) => ({ key, tenant, scopes: ["read", "write"] }))),
    TENANT_SUPPLIER_ACCOUNTS: JSON.stringify(ACCOUNTS),
    SANDBOX_TIME_SCALE: "600",
    VOID_POLL_MIN_MS: "200",
    VOID_POLL_MAX_MS: "400",
  });
});
afterAll(async () => t?.close());

const atrip = () => t.sandbox.atrip!.server;
/** The accounts the simulator saw for requests of `operation` whose body mentions `text`. */
const accountsOf = (server: ReturnType<typeof atrip>, operation: string, text: string) =>
  new Set(server.recent.filter((r) => r.operation === operation && r.body.includes(text)).map((r) => r.account));
const codeOf = (r: Awaited<ReturnType<typeof gql>>) => r.errors?.[0]?.extensions?.code;

async function answersPromptly(): Promise<void> {
  for (const who of [A, B, C]) {
    const started = performance.now();
    expect((await gql<{ suppliers: unknown[] }>(t.url, "{ suppliers { supplier } }", {}, who)).data?.suppliers).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(1000);
  }
}

describe("tenants with their own supplier accounts", () => {
  it("each tenant's calls carry its own credentials; a tenant without an account uses the gateway's", async () => {
    const orders = { acme: fresh("ATR-VOID-DEPOSIT"), globex: fresh("ATR-VOID-DEPOSIT"), initech: fresh("ATR-VOID-DEPOSIT") };
    for (const [who, headers] of [
      ["acme", A],
      ["globex", B],
      ["initech", C],
    ] as const) {
      expect((await gql(t.url, QUOTE, { orderNo: orders[who] }, headers)).errors).toBeUndefined();
    }
    expect(accountsOf(atrip(), "voidQuotation.do", orders.acme)).toEqual(new Set(["acme-client"]));
    expect(accountsOf(atrip(), "voidQuotation.do", orders.globex)).toEqual(new Set(["globex-client"]));
    expect(accountsOf(atrip(), "voidQuotation.do", orders.initech)).toEqual(new Set(["sandbox-client"]));
    // The webhook URL is registered with every account, so every account's webhooks arrive.
    expect(
      new Set(
        atrip()
          .recent.filter((r) => r.operation === "updateWebhookURL.do")
          .map((r) => r.account),
      ),
    ).toEqual(new Set(["sandbox-client", "acme-client", "globex-client"]));

    const ali = fresh("ALI-CANCEL-OK");
    const cancelAli = await gql(t.url, `mutation { cancelOrder(input: { supplier: ALITRIP, orderNo: "${ali}" }) { orderNo } }`, {}, A);
    expect(cancelAli.errors).toBeUndefined(); // the tenant's own sub_channel default was used
    const aliReq = t.sandbox.alitrip!.server.recent.find((r) => r.body.includes(ali))!;
    expect(aliReq.account).toBe("acme-app");
    expect(decodeURIComponent(aliReq.body)).toContain('"sub_channel":"acmecorp"');
    const ctt = fresh("CTT-CANCEL-OK");
    expect(
      (await gql(t.url, `mutation { cancelOrder(input: { supplier: CTT, orderNo: "${ctt}" }) { orderNo } }`, {}, A)).errors,
    ).toBeUndefined();
    expect(accountsOf(t.sandbox.ctt!.server, "api/order/cancel", ctt)).toEqual(new Set(["tenant-acme"]));
    await answersPromptly();
  });

  it("a record's background tracking (polls, webhook confirmations) uses its tenant's account", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const voidCode = await quoteAndSubmit(t.url, orderNo, A);
    const stopOrder = fresh("ATR-STOP-OK");
    expect(
      (await gql(t.url, `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${stopOrder}" }) { state } }`, {}, B)).errors,
    ).toBeUndefined();
    const final = await eventually(async () => {
      const r = await gql<{ voidOrder: { isFinal: boolean; history: Array<{ source: string }> } }>(
        t.url,
        `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal history { source } } }`,
        {},
        A,
      );
      return r.data?.voidOrder.isFinal ? r.data.voidOrder : undefined;
    }, 20_000);
    expect(final.history.length).toBeGreaterThanOrEqual(2);
    expect(accountsOf(atrip(), "queryVoidOrders.do", voidCode)).toEqual(new Set(["acme-client"]));
    const stopped = await eventually(async () => {
      const r = await gql<{ ticketIssuanceStop: { state: string } }>(
        t.url,
        `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${stopOrder}") { state } }`,
        {},
        B,
      );
      return r.data?.ticketIssuanceStop.state === "STOPPED" ? r.data.ticketIssuanceStop : undefined;
    }, 20_000);
    expect(stopped.state).toBe("STOPPED");
    expect(accountsOf(atrip(), "stopTicket.do", stopOrder)).toEqual(new Set(["globex-client"]));
    expect(accountsOf(atrip(), "queryOrderDetails.do", stopOrder)).toEqual(new Set(["globex-client"]));
  });

  it("the supplier keeps a tenant from another account's order: it answers as for an unknown order, to that tenant's credentials", async () => {
    const orderNo = fresh("ATR-VOID-VCC");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo }, A)).data!.voidQuote.voidOfferId;
    const before = atrip().stats.byOperation["voidQuotation.do"] ?? 0;
    const other = await gql(t.url, QUOTE, { orderNo }, B);
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: "ORDER_NOT_FOUND", supplierCode: "801" });
    // The gateway did not stop it: the supplier did, asked with globex's credentials.
    expect((atrip().stats.byOperation["voidQuotation.do"] ?? 0) - before).toBe(1);
    expect(
      atrip()
        .recent.filter((r) => r.operation === "voidQuotation.do" && r.body.includes(orderNo))
        .map((r) => r.account),
    ).toEqual(["acme-client", "globex-client"]);
    // acme's offer is still the latest, and its void stays acme's.
    const voided = await gql<{ submitVoid: { voidCode: string } }>(t.url, SUBMIT, { orderNo, offer }, A);
    expect(voided.errors).toBeUndefined();
    const code = voided.data!.submitVoid.voidCode;
    const refresh = `{ voidOrder(supplier: ATRIP, voidCode: "${code}", refresh: true) { voidCode } }`;
    expect((await gql<{ voidOrder: unknown }>(t.url, refresh, {}, B)).data?.voidOrder).toBeNull();
    expect(
      atrip()
        .recent.filter((r) => r.operation === "queryVoidOrders.do" && r.body.includes(code))
        .some((r) => r.account === "globex-client"),
    ).toBe(true);

    const ctt = fresh("CTT-CANCEL-OK");
    expect(
      (await gql(t.url, `mutation { cancelOrder(input: { supplier: CTT, orderNo: "${ctt}" }) { orderNo } }`, {}, A)).errors,
    ).toBeUndefined();
    const refused = await gql(t.url, `mutation { cancelOrder(input: { supplier: CTT, orderNo: "${ctt}" }) { orderNo } }`, {}, B);
    expect(codeOf(refused)).toBe("CANCEL_REJECTED"); // the simulator's answer to an order this account does not have
    expect(accountsOf(t.sandbox.ctt!.server, "api/order/cancel", ctt)).toEqual(new Set(["tenant-acme", "tenant-globex"]));
    await answersPromptly();
  });
});
