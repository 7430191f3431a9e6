/**
 * A tracked void the supplier no longer knows: ATRIP answers queryVoidOrders.do with 801 ("No
 * voidable orders found", seed 002). The void's scheduled checks fail as ORDER_NOT_FOUND with
 * ATRIP's own code and words in `tracking.failure`; its status stays what ATRIP last said. The
 * supplier here is a real simulator the gateway does not run, restarted on its port with
 * nothing in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { CREDS, eventually, fresh } from "../helpers/atrip.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

let sim: AtripSimulator;
let t: TestGateway;
beforeAll(async () => {
  // Real time: ATR-VOID-DEPOSIT stays at its first status for longer than this test runs.
  sim = await AtripSimulator.start({ ...CREDS, timeScale: 1 });
  t = await startTestGateway({
    API_KEYS,
    ATRIP_BASE_URL: sim.url,
    ATRIP_CLIENT_ID: CREDS.clientId,
    ATRIP_CLIENT_SECRET: CREDS.clientSecret,
    VOID_POLL_MIN_MS: "500",
    VOID_POLL_MAX_MS: "1000",
  });
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

type Read = {
  voidOrder: {
    status: string;
    tracking: { failure: { code: string; supplierCode: string | null; message: string } | null };
  } | null;
};

describe("a tracked void the supplier no longer knows", () => {
  it("fails its checks as ORDER_NOT_FOUND with ATRIP's 801 and message; the status stays", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const quote = await gql<{ voidQuote: { voidOfferId: string } }>(
      t.url,
      `mutation { voidQuote(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { voidOfferId } }`,
      {},
      bearer(KEYS.acmeWrite),
    );
    const submitted = await gql<{ submitVoid: { voidCode: string; status: string } }>(
      t.url,
      `mutation { submitVoid(input: { supplier: ATRIP, orderNo: "${orderNo}", voidOfferId: "${quote.data!.voidQuote.voidOfferId}" }) { voidCode status } }`,
      {},
      bearer(KEYS.acmeWrite),
    );
    expect(submitted.errors).toBeUndefined();
    const { voidCode, status } = submitted.data!.submitVoid;

    // The supplier loses everything: a fresh simulator on the same port.
    const port = Number(new URL(sim.url).port);
    await sim.close();
    sim = await AtripSimulator.start({ ...CREDS, timeScale: 1 }, port);

    const READ = `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { status tracking { failure { code supplierCode message } } } }`;
    const failed = await eventually(async () => {
      const r = (await gql<Read>(t.url, READ, {}, bearer(KEYS.acmeRead))).data!.voidOrder!;
      return r.tracking.failure ? r : null;
    }, 8_000);
    expect(failed.status).toBe(status);
    expect(failed.tracking.failure).toMatchObject({ code: "ORDER_NOT_FOUND", supplierCode: "801" });
    expect(failed.tracking.failure!.message).toContain(voidCode);
    expect(failed.tracking.failure!.message).toContain("No voidable orders found");
  });
});
