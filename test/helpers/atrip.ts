/** Starts an ATRIP simulator and a datasource pointed at it, for integration tests. */
import { randomUUID } from "node:crypto";
import { createAtripAdapter } from "../../datasources/atrip/index.js";
import { SupplierHttp } from "../../datasources/http.js";
import type { OddField } from "../../datasources/lenient.js";
import { AtripSimulator, type AtripSimulatorOptions } from "../../src/sandbox/atrip/server.js";

export const CREDS = { clientId: "test-client", clientSecret: "test-secret-value" };

export async function startAtrip(options: Partial<AtripSimulatorOptions> = {}, timeoutMs = 2000) {
  const sim = await AtripSimulator.start({ ...CREDS, timeScale: 600, ...options });
  const http = new SupplierHttp();
  /** Reply fields the adapter left out, as it reported them (once each). */
  const oddFields: OddField[] = [];
  const adapter = createAtripAdapter({ baseUrl: sim.url, ...CREDS, timeoutMs }, http, true, { oddFields: (o) => oddFields.push(o) });
  return {
    sim,
    http,
    adapter,
    oddFields,
    voids: adapter.voids!,
    stops: adapter.stopIssuance!,
    async close() {
      await http.close();
      await sim.close();
    },
  };
}

/** A fresh copy of a demo order (orders accept any "-suffix"). */
export function fresh(template: string): string {
  return `${template}-${randomUUID().slice(0, 8)}`;
}

/** Resolves when `check` returns a truthy value, polling every `everyMs`. Rejects after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
}
