import { describe, expect, it } from "vitest";
import type { PreparedOperation } from "../../src/server/prepare-operation.js";
import { InFlight } from "../../src/reliability/in-flight.js";
import { drainMutations } from "../../src/server/ws/drain-mutations.js";
import type { WsContext } from "../../src/server/ws/plugin.js";

const op = (operation: "query" | "mutation" | "subscription") =>
  ({ operation: { operation }, label: "x", subscription: operation === "subscription" }) as unknown as PreparedOperation;
const socket = () => ({ extra: {} }) as unknown as WsContext;

describe("a websocket's mutations in flight (a shutdown waits for their answers)", () => {
  it("counts a mutation from its acceptance until it completes, is refused or its socket closes; nothing else", async () => {
    const inFlight = new InFlight();
    const plugin = drainMutations(inFlight);
    const [a, b] = [socket(), socket()];
    plugin.onOperation!(a, "1", op("mutation"));
    plugin.onOperation!(a, "2", op("query"));
    plugin.onOperation!(a, "3", op("subscription"));
    plugin.onOperation!(a, "4", op("mutation"));
    plugin.onOperation!(b, "1", op("mutation"));
    expect(inFlight.size).toBe(3);
    plugin.onComplete!(a, "1");
    plugin.onRefused!(a, "4", "x", "TOO_MANY_SUBSCRIPTIONS");
    await new Promise((r) => setImmediate(r));
    expect(inFlight.size).toBe(1);
    expect(await inFlight.settled(20)).toBe(1);
    plugin.onClose!(b);
    expect(await inFlight.settled(1_000)).toBe(0);
  });
});
