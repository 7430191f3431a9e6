/**
 * Starts the simulators that stand in for suppliers without a configured URL, on loopback
 * ports, and lists their demo orders for the start-up banner. Each supplier's descriptor
 * (datasources/suppliers.ts) says how to start its simulator.
 */
import type { SupplierDescriptor, StartedSimulator } from "../../datasources/supplier.js";
import { SUPPLIERS } from "../../datasources/suppliers.js";
import type { Config } from "../config.js";

export interface Sandbox {
  /** Where each running simulator listens, by supplier name. */
  urls: Record<string, string>;
  /** The running simulators, by supplier name. */
  simulators: Record<string, StartedSimulator>;
  /** Lines describing the demo orders, for the banner. */
  describe(): string[];
  close(): Promise<void>;
}

export async function startSandbox(config: Config, suppliers: readonly SupplierDescriptor[] = SUPPLIERS): Promise<Sandbox> {
  const simulators: Record<string, StartedSimulator> = {};
  for (const s of suppliers) {
    const configured = config.suppliers[s.name];
    if (!configured || configured.url !== undefined) continue;
    // Tenants' own accounts (TENANT_SUPPLIER_ACCOUNTS) exist at the simulators too.
    const accounts = Object.entries(config.tenantAccounts ?? {}).flatMap(([tenant, own]) =>
      own[s.name] !== undefined ? [{ tenant, credentials: own[s.name] }] : [],
    );
    simulators[s.name] = await s.startSimulator(configured.settings, { timeScale: config.sandboxTimeScale, accounts });
  }
  return {
    urls: Object.fromEntries(Object.entries(simulators).map(([name, sim]) => [name, sim.url])),
    simulators,
    describe: () => Object.values(simulators).flatMap((sim) => sim.describe()),
    async close() {
      await Promise.all(Object.values(simulators).map((sim) => sim.close()));
    },
  };
}
