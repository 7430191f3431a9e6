/** The client examples in examples/ run against a live gateway, so they cannot rot. */
import { execFile } from "node:child_process";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { eventually } from "../helpers/atrip.js";
import { gql, quoteAndSubmit } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ SANDBOX_TIME_SCALE: "120", VOID_POLL_MIN_MS: "200" });
});
afterAll(async () => t?.close());

function run(script: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  const file = fileURLToPath(new URL(`../../dist/examples/${script}`, import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

/** The statuses of the events graphql-ws-minimal printed, one JSON line each. */
function printedStatuses(out: string): string[] {
  return out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => (JSON.parse(l) as { status: string }).status);
}

describe("examples", () => {
  it("follow-void (Apollo Client, HTTP + GraphQLWsLink) quotes, voids and follows to the final state", async () => {
    const r = await run("follow-void.js", { GATEWAY_URL: t.url, ORDER_NO: `ATR-VOID-DEPOSIT-ex${Date.now()}` });
    expect(r.out).toMatch(/quote: 1180\.50 CNY back/);
    expect(r.out).toMatch(/submitted: \S+ SUPPLIER_PROCESSING/);
    expect(r.out).toMatch(/REFUNDED \((WEBHOOK|POLL)\) final/);
    expect(r.code).toBe(0);
  });

  it("graphql-ws-minimal follows an order's events", async () => {
    const orderNo = `ATR-VOID-VCC-ex${Date.now()}`;
    const running = run("graphql-ws-minimal.js", { GATEWAY_URL: t.url, ORDER_NO: orderNo, MAX_EVENTS: "3" });
    await new Promise((r) => setTimeout(r, 500));
    await quoteAndSubmit(t.url, orderNo);
    const r = await running;
    expect(printedStatuses(r.out)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "COMPLETED"]);
    expect(r.code).toBe(0);
  });

  it("graphql-ws-minimal starts afresh from an id not in the log, and after a dropped connection resumes with the last id it saw", async () => {
    const orderNo = `ATR-VOID-DEPOSIT-rc${Date.now()}`;
    const target = new URL(t.url);
    // A TCP proxy in front of the gateway: the first event through it cuts every connection,
    // and no connection passes until the void has reached its final state.
    let down = false;
    let cut = false;
    const open = new Set<Socket>();
    const proxy = createServer((client) => {
      if (down) return void client.destroy();
      const upstream = connect(Number(target.port), target.hostname);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        open.add(a);
        a.on("error", () => b.destroy());
        a.on("close", () => b.destroy());
      }
      client.pipe(upstream);
      upstream.on("data", (d: Buffer) => {
        client.write(d);
        // An event's data (an error, such as the refused afterEventId, has no isFinal).
        if (!cut && d.includes('"isFinal"')) {
          cut = down = true;
          // Once this chunk is on its way: the client has the first event, then loses the connection.
          setImmediate(() => open.forEach((s) => s.destroy()));
        }
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const via = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
      const running = run("graphql-ws-minimal.js", {
        GATEWAY_URL: via,
        ORDER_NO: orderNo,
        MAX_EVENTS: "3",
        AFTER_EVENT_ID: "999999999999",
      });
      await new Promise((r) => setTimeout(r, 700));
      const voidCode = await quoteAndSubmit(t.url, orderNo);
      await eventually(async () => {
        const r = await gql<{ voidOrder: { isFinal: boolean } }>(
          t.url,
          `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal } }`,
        );
        return cut && r.data?.voidOrder.isFinal;
      }, 20_000);
      down = false;
      const r = await running;
      // The two changes made while it was away come with its resubscription, once each.
      expect(printedStatuses(r.out)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);
      expect(r.code).toBe(0);
    } finally {
      proxy.close();
      open.forEach((s) => s.destroy());
    }
  }, 40_000);
});
