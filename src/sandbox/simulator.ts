/**
 * What the sandbox knows of a simulator: how to start it with the gateway's account and tenants'
 * own ones, and what a running one offers. Each supplier's simulator implements it in
 * `src/sandbox/<name>/simulator.ts`; the list in `src/sandbox/simulators.ts` loads them.
 */

/** A running simulator. */
export interface StartedSimulator {
  url: string;
  /** Start-up banner lines: where it listens and its demo orders. */
  describe(): string[];
  close(): Promise<void>;
  /** The simulator object itself, for tests that steer it. */
  instance: unknown;
}

/** How a simulator starts. */
interface SimulatorOptions<C> {
  /** The simulated clock's speed (SANDBOX_TIME_SCALE). */
  timeScale: number;
  /** Tenants' own accounts (TENANT_SUPPLIER_ACCOUNTS), which exist at the simulator too. */
  accounts: Array<{ tenant: string; credentials: C }>;
}

/**
 * A supplier's simulator. `S` is what it reads of the gateway's settings for that supplier (the
 * account the gateway calls it with), `C` of a tenant's own credentials; both are read
 * structurally, so a simulator imports nothing from datasources/ (an independent reading of the
 * supplier's documents).
 */
export interface SimulatorSpec<S = never, C = never> {
  start(settings: S, opts: SimulatorOptions<C>): Promise<StartedSimulator>;
}
