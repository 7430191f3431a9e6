/**
 * A supplier call's log line names the request that caused it (src/startup/supplier-calls.ts).
 * The request id travels with the call as an argument (datasources/deadline.ts, CallScope),
 * not in AsyncLocalStorage, so concurrent requests must each find their own id on their own
 * calls: over HTTP (its x-request-id), through the tracking services (submitVoid), and over a
 * websocket (an id per operation). Each also names the tenant. Runs the built gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGatewayProcess({ LOG_LEVEL: "info" });
});
afterAll(async () => {
  await gw?.stop();
});

interface CallLine {
  level: number;
  msg: string;
  requestId?: string;
  tenant?: string;
  operation: string;
  outcome: string;
}

function supplierCallLines(): CallLine[] {
  return gw
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes('"msg":"supplier call"'))
    .map((l) => JSON.parse(l) as CallLine);
}

async function post(query: string, requestId: string): Promise<Record<string, unknown>> {
  const res = await fetch(gw.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await res.json()) as Record<string, unknown>;
}

const quote = (orderNo: string) => `mutation { voidQuote(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { voidOfferId } }`;

describe("supplier call log lines", () => {
  it("concurrent requests each find their own request id on their own calls", async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `log-quote-${i}`);
    const answers = await Promise.all(ids.map((id) => post(quote(fresh("ATR-VOID-DEPOSIT")), id)));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const lines = await eventually(() => {
      const found = supplierCallLines().filter((l) => ids.includes(l.requestId ?? ""));
      return found.length === ids.length ? found : undefined;
    });
    expect(lines.map((l) => l.requestId).sort()).toEqual([...ids].sort());
    expect(lines.every((l) => l.operation === "voidQuotation.do" && l.outcome === "OK" && l.level === 30)).toBe(true);
    // And the tenant whose call it was (the anonymous demo's here).
    expect(lines.map((l) => l.tenant)).toEqual(ids.map(() => "demo"));
  });

  it("a submission through the tracking services, and an operation over a websocket, name theirs", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const quoted = (await post(quote(orderNo), "log-submit-quote")) as { data: { voidQuote: { voidOfferId: string } } };
    const offer = quoted.data.voidQuote.voidOfferId;
    const submitted = await post(
      `mutation { submitVoid(input: { supplier: ATRIP, orderNo: "${orderNo}", voidOfferId: "${offer}" }) { voidCode } }`,
      "log-submit",
    );
    expect(submitted.errors).toBeUndefined();
    await eventually(() => supplierCallLines().find((l) => l.requestId === "log-submit" && l.operation === "void.do"));

    const client = wsClient(gw.wsUrl);
    try {
      const before = supplierCallLines().length;
      const result = await wsRequest(client, quote(fresh("ATR-VOID-DEPOSIT")));
      expect(result).toMatchObject({ data: { voidQuote: { voidOfferId: expect.any(String) } } });
      const line = await eventually(() =>
        supplierCallLines()
          .slice(before)
          .find((l) => l.operation === "voidQuotation.do"),
      );
      expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(line.level).toBe(30);
    } finally {
      await client.dispose();
    }
    // Background calls (the tracking's polls of the void) are logged at debug, so none here lacks an id.
    expect(supplierCallLines().filter((l) => !l.requestId)).toEqual([]);
  });
});
