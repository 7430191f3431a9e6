/**
 * An operation's context makes its store loaders on first use (issue 24): a subscription's
 * context lives as long as the subscription, and most operations never read through them.
 * Once made, every resolver of the operation gets the same loaders, so their reads batch.
 */
import { describe, expect, it } from "vitest";
import type { Services } from "../../resolvers/context.js";
import { OperationContext } from "../../src/server/operation-context.js";
import { storeLoaders } from "../../src/tracking/loaders.js";

describe("an operation's context", () => {
  it("makes its loaders when first asked, once", async () => {
    let made = 0;
    const batches: string[][] = [];
    const tracking = {
      loaders() {
        made += 1;
        return storeLoaders({
          getMany: async (keys) => (batches.push(keys.map((k) => k.ref)), keys.map(() => null)),
          historyMany: async (keys) => keys.map(() => []),
          byOrders: async (_kind, orders) => orders.map(() => []),
        });
      },
    };
    const ctx = new OperationContext(null, "acme", "req-1", { tracking } as unknown as Services);
    expect(made).toBe(0);
    const key = (ref: string) => ({ kind: "void" as const, tenant: "acme", supplier: "ATRIP" as const, ref });
    const reads = [ctx.loaders.record.load(key("a")), ctx.loaders.record.load(key("b"))];
    expect(await Promise.all(reads)).toEqual([null, null]);
    expect(made).toBe(1);
    expect(batches).toEqual([["a", "b"]]);
    expect(ctx.loaders).toBe(ctx.loaders);
  });
});
