/** The client examples in examples/ run against a live gateway, so they cannot rot. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit } from "../helpers/graphql.js";

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
    const events = r.out
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { status: string });
    expect(events.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "COMPLETED"]);
    expect(r.code).toBe(0);
  });
});
