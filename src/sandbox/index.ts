/**
 * Starts the simulators that stand in for suppliers without a configured URL, on loopback
 * ports, and lists their demo orders for the start-up banner. Only the start-up path
 * (src/main.ts, and tests) imports this; each simulator's module is loaded from the list in
 * ./simulators.ts when it is started, and none when every supplier has a URL.
 */
import type { Config } from "../config/index.js";
import type { StartedSimulator } from "./simulator.js";
import { SIMULATORS, type SimulatorLoader } from "./simulators.js";

export interface Sandbox {
  /** Where each running simulator listens, by supplier name. */
  urls: Record<string, string>;
  /** The running simulators, by supplier name. */
  simulators: Record<string, StartedSimulator>;
  /** Lines describing the demo orders, for the banner. */
  describe(): string[];
  close(): Promise<void>;
}

/**
 * Starts a simulator for every configured supplier that has no URL.
 * @param simulators the simulators by supplier name (tests add one). @default SIMULATORS
 */
export async function startSandbox(config: Config, simulators: Readonly<Record<string, SimulatorLoader>> = SIMULATORS): Promise<Sandbox> {
  const started: Record<string, StartedSimulator> = {};
  try {
    for (const [name, configured] of Object.entries(config.suppliers)) {
      if (configured.url !== undefined) continue;
      const load = simulators[name];
      if (!load) throw new Error(`${name} has no URL configured and no simulator to stand in for it`);
      // Tenants' own accounts (TENANT_SUPPLIER_ACCOUNTS) exist at the simulators too.
      const accounts = Object.entries(config.tenantAccounts ?? {}).flatMap(([tenant, own]) =>
        own[name] !== undefined ? [{ tenant, credentials: own[name] }] : [],
      );
      started[name] = await (await load()).start(configured.settings, { timeScale: config.runtime.sandboxTimeScale, accounts });
    }
  } catch (err) {
    await Promise.all(Object.values(started).map((sim) => sim.close()));
    throw err;
  }
  return {
    urls: Object.fromEntries(Object.entries(started).map(([name, sim]) => [name, sim.url])),
    simulators: started,
    describe: () => Object.values(started).flatMap((sim) => sim.describe()),
    async close() {
      await Promise.all(Object.values(started).map((sim) => sim.close()));
    },
  };
}
