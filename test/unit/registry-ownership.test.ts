/**
 * Order ownership where the registry hands out ports (issue 21, item 6): on a shared account the
 * operations a client starts on an order — quote, submit, the check of a lost submission, stop,
 * cancel — pass the order gate before anything reaches the adapter; background reads (a void by
 * its code, a stop's outcome) do not; on an account one tenant has alone nothing is gated. The
 * gate is the real one (src/tenancy/ownership.ts) over an in-memory owner store, or a recording fake.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CancelOrderRequest } from "../../datasources/model.js";
import type { OrderOperation, SupplierAdapter } from "../../datasources/ports.js";
import { SupplierRegistry, type OrderAction, type OrderGate, type TenantAccount } from "../../datasources/registry.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import type { SupplierName } from "../../src/vocabulary/suppliers.js";
import type { OwnerStore } from "../../src/store/owner-store.js";
import { OrderOwnership } from "../../src/tenancy/ownership.js";

/** An adapter that records every call that reaches it. */
function adapter(name: SupplierName, calls: string[]): SupplierAdapter {
  const hit = (what: string) => {
    calls.push(what);
    return Promise.resolve({ orderNo: "ORD", supplier: name } as never);
  };
  return {
    name,
    sandbox: true,
    timeoutMs: 1_000,
    voids: {
      quote: (orderNo) => hit(`quote ${orderNo}`),
      submit: (orderNo) => hit(`submit ${orderNo}`),
      query: (voidCode) => hit(`query ${voidCode}`),
      findSubmitted: (orderNo) => hit(`findSubmitted ${orderNo}`),
    },
    stopIssuance: { stop: (orderNo) => hit(`stop ${orderNo}`), outcome: (orderNo) => hit(`outcome ${orderNo}`) },
    cancels: { cancel: (request) => hit(`cancel ${request.orderNo}`) },
    available: () => true,
    unknownOrder: (operation: OrderOperation) =>
      new SupplierError("ORDER_NOT_FOUND", `no such order (${operation})`, { supplier: name, supplierCode: "801", retryable: false }),
  };
}

/** The owner store's contract in memory: the first claimer holds the order. */
function owners(): OwnerStore {
  const held = new Map<string, string>();
  return {
    claim: async (supplier: string, account: string, orderNo: string, tenant: string) => {
      const key = `${supplier}/${account}/${orderNo}`;
      const holder = held.get(key);
      if (holder !== undefined) return { tenant: holder, fresh: false };
      held.set(key, tenant);
      return { tenant, fresh: true };
    },
    holder: async (supplier: string, account: string, orderNo: string) => held.get(`${supplier}/${account}/${orderNo}`) ?? null,
    release: async (supplier: string, account: string, orderNo: string, tenant: string) => {
      if (held.get(`${supplier}/${account}/${orderNo}`) === tenant) held.delete(`${supplier}/${account}/${orderNo}`);
    },
  } as unknown as OwnerStore;
}

const cancel = (orderNo: string): CancelOrderRequest => ({ orderNo });

/** Every operation on an order the gate covers, as a tenant's port calls. */
const ORDER_OPERATIONS: Array<[OrderOperation, (r: SupplierRegistry, tenant: string, orderNo: string) => Promise<unknown>]> = [
  ["VOID_QUOTE", (r, t, o) => r.voids("ATRIP", t).quote(o)],
  ["VOID_SUBMIT", (r, t, o) => r.voids("ATRIP", t).submit(o, "offer-1")],
  ["VOID_SUBMIT", (r, t, o) => r.voids("ATRIP", t).findSubmitted!(o)],
  ["STOP_TICKET_ISSUANCE", (r, t, o) => r.stopIssuance("ATRIP", t).stop(o)],
  ["CANCEL_ORDER", (r, t, o) => r.cancels("ATRIP", t).cancel(cancel(o))],
];

describe("the registry's ports apply order ownership", () => {
  it("another tenant's quote, submit, lost-submission check, stop or cancel of a claimed order is the supplier's unknown-order error; the adapter is never called", async () => {
    const calls: string[] = [];
    const registry = new SupplierRegistry([adapter("ATRIP", calls)], { ownership: new OrderOwnership(owners()) });
    for (const [operation, run] of ORDER_OPERATIONS) {
      const orderNo = `ORD-${calls.length}`;
      await run(registry, "acme", orderNo);
      const reached = calls.length;
      await expect(run(registry, "globex", orderNo)).rejects.toMatchObject({
        code: "ORDER_NOT_FOUND",
        message: `no such order (${operation})`,
        supplier: "ATRIP",
      });
      expect(calls).toHaveLength(reached);
      // The owner goes on as before.
      await run(registry, "acme", orderNo);
      expect(calls).toHaveLength(reached + 1);
    }
  });

  it("each order operation reaches the gate with its name, the tenant's account and the supplier's refusal; reads do not", async () => {
    const calls: string[] = [];
    const seen: OrderAction[] = [];
    const gate: OrderGate = {
      operate: (action, call) => {
        seen.push(action);
        return call();
      },
    };
    const registry = new SupplierRegistry([adapter("ATRIP", calls)], { ownership: gate });
    for (const [, run] of ORDER_OPERATIONS) await run(registry, "acme", "ORD-1");
    expect(seen.map((a) => [a.tenant, a.supplier, a.account, a.orderNo, a.operation])).toEqual(
      ORDER_OPERATIONS.map(([operation]) => ["acme", "ATRIP", { id: "shared", exclusive: false }, "ORD-1", operation]),
    );
    expect(seen[0].unknownOrder()).toMatchObject({ code: "ORDER_NOT_FOUND", message: "no such order (VOID_QUOTE)" });

    // Background reads (polls, webhook confirmations) cost no claim.
    await registry.voids("ATRIP", "acme").query("V-1");
    await registry.stopIssuance("ATRIP", "acme").outcome("ORD-1");
    expect(seen).toHaveLength(ORDER_OPERATIONS.length);
    expect(calls.slice(-2)).toEqual(["query V-1", "outcome ORD-1"]);
  });

  it("a tenant's account of its own, shared with nobody, skips the gate; one shared by several tenants is gated by its own id", async () => {
    const shared: string[] = [];
    const solo: string[] = [];
    const group: string[] = [];
    const seen: OrderAction[] = [];
    const gate: OrderGate = {
      operate: (action, call) => {
        seen.push(action);
        return call();
      },
    };
    const own = (id: string, exclusive: boolean, calls: string[]): ReadonlyMap<SupplierName, TenantAccount> =>
      new Map([["ATRIP", { account: { id, exclusive }, adapter: adapter("ATRIP", calls) }]]);
    const registry = new SupplierRegistry([adapter("ATRIP", shared)], {
      ownership: gate,
      tenantAccounts: new Map([
        ["solo", own("own:solo", true, solo)],
        ["beta", own("own:group", false, group)],
      ]),
    });
    for (const [, run] of ORDER_OPERATIONS) await run(registry, "solo", "ORD-1");
    expect(seen).toEqual([]);
    expect(solo).toHaveLength(ORDER_OPERATIONS.length);

    await registry.voids("ATRIP", "beta").quote("ORD-1");
    expect(seen.map((a) => a.account)).toEqual([{ id: "own:group", exclusive: false }]);
    expect(group).toEqual(["quote ORD-1"]);
    expect(shared).toEqual([]);
  });

  describe("the gate's memory of holdings", () => {
    afterEach(() => vi.useRealTimers());

    it("forgets holdings older than a minute as new ones come, instead of keeping them until 50,000 clear at once", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const gate = new OrderOwnership(owners());
      const action = (orderNo: string): OrderAction => ({
        tenant: "acme",
        supplier: "ATRIP",
        account: { id: "shared", exclusive: false },
        orderNo,
        operation: "VOID_QUOTE",
        unknownOrder: () => new SupplierError("ORDER_NOT_FOUND", "no such order", { supplier: "ATRIP", retryable: false }),
      });
      for (const orderNo of ["A", "B", "C"]) await gate.operate(action(orderNo), async () => "ok");
      expect(gate.remembered).toBe(3);
      vi.setSystemTime(Date.now() + 30_000);
      await gate.operate(action("D"), async () => "ok");
      expect(gate.remembered).toBe(4);
      vi.setSystemTime(Date.now() + 31_000);
      // A, B and C are 61 s old, D 31 s: the next holding remembered drops the first three.
      await gate.operate(action("E"), async () => "ok");
      expect(gate.remembered).toBe(2);
      // A minute on, D is claimed from the store again and remembered anew; E, expired, goes.
      vi.setSystemTime(Date.now() + 61_000);
      await gate.operate(action("D"), async () => "ok");
      expect(gate.remembered).toBe(1);
    });
  });
});
