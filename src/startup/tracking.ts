/** Start-up step: one instance's tracking — every tracked kind's engine, the inbox, delivery and subscriptions. */
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { SupplierDescriptor } from "../../datasources/supplier.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { PubSub } from "../pubsub/index.js";
import type { Store } from "../store/index.js";
import { Tracking } from "../tracking/index.js";
import type { AnyKind } from "../tracking/kinds/index.js";
import { trackingSchedule } from "./schedule.js";

export interface TrackingInputs {
  config: Config;
  registry: SupplierRegistry;
  suppliers: readonly SupplierDescriptor[];
  kinds: readonly AnyKind[];
  store: Store;
  pubsub: PubSub;
  metrics: Metrics;
  log: Logger;
}

export function buildTracking({ config, registry, suppliers, kinds, store, pubsub, metrics, log }: TrackingInputs): Tracking {
  const schedule = trackingSchedule(config, registry, suppliers, kinds);
  return new Tracking({
    store,
    registry,
    pubsub,
    log,
    kinds,
    policies: schedule.policies,
    stopCheckDelayMs: schedule.stopCheckDelayMs,
    acceptanceVisibleMs: schedule.acceptanceVisibleMs,
    soleInstance: store.db.engine === "pglite",
    tickMs: config.tracking.schedulerTickMs,
    leaseMs: config.tracking.leaseMs,
    catchUpMs: config.tracking.eventCatchUpMs,
    maxSubscriptionsPerTenant: config.subscriptions.maxPerTenant,
    webhookRetentionMs: config.webhooks.retentionHours * 60 * 60_000,
    onRecorded: (kind) => metrics.eventPublished(kind),
    onLogRead: (events, seconds) => metrics.logRead(events, seconds),
  });
}
