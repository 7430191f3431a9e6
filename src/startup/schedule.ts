/**
 * Start-up step: the tracking schedule. The simulators' clock runs faster, so when every
 * supplier with tracked records is a simulator, each kind's poll intervals (unless set
 * explicitly) and the suppliers' documented delays (stop outcomes, a void's acceptance) follow it.
 */
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { SupplierDescriptor } from "../../datasources/supplier.js";
import type { Config } from "../config/index.js";
import type { AnyKind } from "../tracking/kinds/index.js";
import type { PollPolicy } from "../tracking/schedule.js";
import type { SupplierName } from "../vocabulary/suppliers.js";

export interface TrackingSchedule {
  /** Each kind's poll intervals, by kind name. */
  policies: Record<string, PollPolicy>;
  /** When a stop request is first checked, by supplier: STOP_CHECK_DELAY_MS (never below a real supplier's documented delay), else the supplier's documented delay. */
  stopCheckDelayMs(supplier: SupplierName): number;
  /** How long a supplier may take to show a void it accepted (its documented `acceptanceVisibleMs`, else 0). */
  acceptanceVisibleMs(supplier: SupplierName): number;
}

export function trackingSchedule(
  config: Config,
  registry: SupplierRegistry,
  suppliers: readonly SupplierDescriptor[],
  kinds: readonly AnyKind[],
): TrackingSchedule {
  const listed = registry.list();
  const tracked = listed.filter((i) => i.operations.includes("VOID") || i.operations.includes("STOP_TICKET_ISSUANCE"));
  const scale = tracked.length > 0 && tracked.every((i) => i.sandbox) ? config.runtime.sandboxTimeScale : 1;
  const scaled = (ms: number, variable: { name: string }) => (config.given.has(variable.name) ? ms : ms / scale);
  /** One documented delay of each supplier, scaled (0 when it documents none). */
  const documented = (fact: keyof NonNullable<SupplierDescriptor["timing"]>) =>
    new Map(suppliers.map((s) => [s.name, (s.timing?.[fact] ?? 0) / scale]));
  const stopDelays = documented("stopOutcomeDelayMs");
  const acceptance = documented("acceptanceVisibleMs");
  const policies = Object.fromEntries(
    kinds.map((k) => {
      const p = config.polls[k.name];
      return [k.name, { minMs: scaled(p.minMs, k.poll.minMs), maxMs: scaled(p.maxMs, k.poll.maxMs), watchedMs: p.watchedMs }];
    }),
  );
  const sandboxes = new Set(listed.flatMap((i) => (i.sandbox ? [i.supplier] : [])));
  const given = config.tracking.stopCheckDelayMs;
  return {
    policies,
    // Before a real supplier's documented delay its order state does not yet tell a stop's
    // outcome (docs/suppliers), so STOP_CHECK_DELAY_MS shortens it only for a simulator.
    stopCheckDelayMs: (supplier) => {
      const documentedMs = stopDelays.get(supplier) ?? 0;
      if (given === undefined) return documentedMs;
      return sandboxes.has(supplier) ? given : Math.max(given, documentedMs);
    },
    acceptanceVisibleMs: (supplier) => acceptance.get(supplier) ?? 0,
  };
}
