/**
 * A supplier is one module, wired from one list (issue 13, item 3): a fourth supplier that
 * exists only for this test (test/fixtures/aerolite: its descriptor, a JSON-RPC datasource and
 * its simulator) is registered through the same list as the real ones, and a void goes quote →
 * submit → tracked to its final state through the gateway — with no shared file changed for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUPPLIERS } from "../../datasources/suppliers.js";
import { aeroliteSupplier } from "../fixtures/aerolite/descriptor.js";
import { aeroliteSimulator, type AeroLiteSimulator } from "../fixtures/aerolite/simulator.js";
import { SIMULATORS } from "../../src/sandbox/simulators.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ VOID_POLL_MIN_MS: "200", VOID_POLL_WATCHED_MS: "200", AEROLITE_SIM_STEP_MS: "300" }, undefined, undefined, {
    suppliers: [...SUPPLIERS, aeroliteSupplier],
    simulators: { ...SIMULATORS, AEROLITE: async () => aeroliteSimulator },
  });
});
afterAll(async () => t?.close());

describe("a fourth supplier through the wiring list", () => {
  it("is listed with the operations its ports offer", async () => {
    const r = await gql<{ suppliers: Array<{ supplier: string; operations: string[]; sandbox: boolean }> }>(
      t.url,
      "{ suppliers { supplier operations sandbox } }",
    );
    expect(r.data?.suppliers.find((s) => s.supplier === "AEROLITE")).toEqual({ supplier: "AEROLITE", operations: ["VOID"], sandbox: true });
  });

  it("quotes, submits and tracks a void to its final state over its own protocol", async () => {
    const sim = t.sandbox.simulators.AEROLITE.instance as AeroLiteSimulator;
    const orderNo = `AL-${Date.now()}`;
    const client = wsClient(t.wsUrl);
    const events = collect<EventOut>(client, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 100));
    const q = await gql<{ voidQuote: { voidOfferId: string; fare: { estimatedRefund: string; currency: string } } }>(
      t.url,
      `mutation { voidQuote(input: { supplier: AEROLITE, orderNo: "${orderNo}" }) { voidOfferId fare { estimatedRefund currency } } }`,
    );
    expect(q.data?.voidQuote.fare).toEqual({ estimatedRefund: "320.40", currency: "EUR" });
    const s = await gql<{ submitVoid: { voidCode: string; status: string } }>(
      t.url,
      `mutation { submitVoid(input: { supplier: AEROLITE, orderNo: "${orderNo}", voidOfferId: "${q.data!.voidQuote.voidOfferId}" }) { voidCode status } }`,
    );
    expect(s.data?.submitVoid.status).toBe("SUPPLIER_PROCESSING");
    await events.waitUntil((e) => e.isFinal, 15_000);
    // Polling may or may not see the short middle state (a documented limit); never one that did not happen.
    const seen = events.items.map((e) => `${e.status}/${e.source}`);
    expect([
      ["SUPPLIER_PROCESSING/SUBMIT", "AIRLINE_PROCESSING/POLL", "REFUNDED/POLL"],
      ["SUPPLIER_PROCESSING/SUBMIT", "REFUNDED/POLL"],
    ]).toContainEqual(seen);
    expect(new Set(sim.calls.map((c) => c.method))).toEqual(new Set(["void.offer", "void.create", "void.get"]));
    const record = await gql<{ voidOrder: { status: string; history: Array<{ status: string }> } }>(
      t.url,
      `{ voidOrder(supplier: AEROLITE, voidCode: "${s.data!.submitVoid.voidCode}") { status history { status } } }`,
    );
    expect(record.data?.voidOrder.status).toBe("REFUNDED");
    events.stop();
    await client.dispose();
  });

  it("answers its errors in the gateway's codes, and what it does not offer before any call", async () => {
    const sim = t.sandbox.simulators.AEROLITE.instance as AeroLiteSimulator;
    const unknown = await gql(t.url, `mutation { voidQuote(input: { supplier: AEROLITE, orderNo: "NOPE-1" }) { voidOfferId } }`);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: "ORDER_NOT_FOUND", supplier: "AEROLITE", supplierCode: "-32004" });
    const calls = sim.calls.length;
    const cancel = await gql(t.url, `mutation { cancelOrder(input: { supplier: AEROLITE, orderNo: "AL-9" }) { orderNo } }`);
    expect(cancel.errors?.[0].extensions).toMatchObject({ code: "UNSUPPORTED_OPERATION" });
    expect(sim.calls.length).toBe(calls);
  });
});
