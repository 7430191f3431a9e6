/**
 * The simulators' wiring list, keyed by supplier name: each entry loads its simulator's module
 * only when the sandbox starts it, so a gateway configured for real suppliers never loads one
 * (issue 21, item 3). Adding a supplier: its simulator under `src/sandbox/<name>/` and a line
 * here (the key set is checked against the supplier names).
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SimulatorSpec } from "./simulator.js";

/** Loads a simulator's module. Its settings and credentials are the supplier's, read structurally. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each simulator reads its own supplier's settings
export type SimulatorLoader = () => Promise<SimulatorSpec<any, any>>;

export const SIMULATORS: Readonly<Record<SupplierName, SimulatorLoader>> = {
  ATRIP: async () => (await import("./atrip/simulator.js")).atripSimulator,
  ALITRIP: async () => (await import("./alitrip/simulator.js")).alitripSimulator,
  CTT: async () => (await import("./ctt/simulator.js")).cttSimulator,
};
