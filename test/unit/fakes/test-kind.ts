/**
 * A tracked kind for unit tests (statuses A → B → C, or X; C and X final) and the supplier
 * stand-in it asks: the engine's and the inbox processor's tests share them.
 */
import type { KindName } from "../../../src/vocabulary/kinds.js";
import type { TrackedKind } from "../../../src/tracking/kind.js";
import { notKnown } from "../../../datasources/ports.js";

/** A report of the test kind: a status and a sequence number (to see which report was stored). */
export interface R {
  status: string;
  n: number;
}

/** A deferred: a promise and its resolver. */
export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const RANK: Record<string, number> = { A: 0, B: 1, C: 2, X: 2 };
export const policy = { minMs: 1000, maxMs: 8000, watchedMs: 500 };

/** The supplier stand-in: the status each ref has there now (an Error: the call fails), and a gate calls wait on. */
export class Supplier {
  readonly state = new Map<string, R | Error | null>();
  readonly calls = new Map<string, number>();
  /** Resolves when the next call arrives (a test waits on it instead of sleeping). */
  private arrivals: Array<() => void> = [];
  gate?: Promise<void>;

  async ask(ref: string): Promise<R | null> {
    this.calls.set(ref, (this.calls.get(ref) ?? 0) + 1);
    for (const arrived of this.arrivals.splice(0)) arrived();
    await this.gate;
    const s = this.state.get(ref) ?? null;
    if (s instanceof Error) throw s;
    return s;
  }

  /** A promise that resolves when the next call reaches the supplier. */
  nextCall(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }
}

/**
 * The test kind, asking `supplier`. `name` picks the store's rules (a void belongs to one tenant;
 * stops of one order may be several tenants'); `accountOf` says which account a tenant uses.
 */
export function kindOf(supplier: Supplier, opts: { name?: KindName; accountOf?: (tenant: string) => string } = {}): TrackedKind<R> {
  const { name = "void", accountOf } = opts;
  return {
    name,
    policy,
    rank: (s) => RANK[s] ?? -1,
    isFinal: (s) => s === "C" || s === "X",
    statusOf: (r) => r.status,
    messageOf: (r) => `report ${r.n}`,
    ask: async (_tenant, _supplier, ref) => (await supplier.ask(ref)) ?? notKnown(null, null),
    ...(accountOf ? { accountOf: (tenant: string) => accountOf(tenant) } : {}),
  };
}
