/**
 * The composition root (issue 21, item 4): a gateway wired from its configuration in named
 * steps — the authenticator, the metrics, the supplier HTTP transport with its observers, the
 * store, the registry (with order ownership), the pub/sub, tracking, the webhook intakes, the server — each in its own
 * module under src/startup/. `startGateway` is what `npm start` and the tests run.
 */
import { SupplierHttp } from "../datasources/http.js";
import type { SupplierDescriptor } from "../datasources/supplier.js";
import { SUPPLIERS } from "../datasources/suppliers.js";
import type { Services } from "../resolvers/context.js";
import type { Config } from "./config/index.js";
import type { Logger } from "./logger.js";
import { Metrics, UNSETTLED_OPERATIONS } from "./metrics.js";
import { createPubSub, type PubSub } from "./pubsub/index.js";
import { Idempotency } from "./reliability/idempotency.js";
import type { RunningServer } from "./server/app.js";
import { buildAuthenticator } from "./startup/authentication.js";
import { buildRegistry } from "./startup/registry.js";
import { startGatewayServer } from "./startup/server.js";
import { openConfiguredStore } from "./startup/store.js";
import { logSupplierCalls, meterSupplierCalls } from "./startup/supplier-calls.js";
import { buildTracking } from "./startup/tracking.js";
import { registerWebhooks, webhookIntakes } from "./startup/webhooks.js";
import type { Store } from "./store/index.js";
import { OrderOwnership } from "./tenancy/ownership.js";
import { TRACKED_KINDS, type AnyKind } from "./tracking/kinds/index.js";

/** Where the embedded simulators listen, by supplier name, when they stand in for real suppliers. */
export type SandboxUrls = Record<string, string>;

export interface Gateway {
  url: string;
  port: number;
  services: Services;
  server: RunningServer;
  /** The secret last path segment of /webhooks/<supplier>/<token>, by supplier name. */
  webhookTokens: Record<string, string>;
  close(): Promise<void>;
}

/**
 * How long after a close starts the state-changing operations in flight may still finish: under
 * the 15 s after which a shutdown exits anyway (src/run.ts), with time left to close the store.
 */
const SETTLED_WITHIN_MS = 13_000;

export interface GatewayDeps {
  /** An already open store to use instead of opening one from the configuration (tests). */
  store?: Store;
  /** A pub/sub to use instead of the configured one (tests); closed with the gateway. */
  pubsub?: PubSub;
  /** The suppliers to wire (tests add one); the same list the configuration was read with. @default SUPPLIERS */
  suppliers?: readonly SupplierDescriptor[];
  /** The tracked kinds (tests add one); the same list the configuration was read with. @default TRACKED_KINDS */
  kinds?: readonly AnyKind[];
}

export async function startGateway(config: Config, log: Logger, sandbox: SandboxUrls = {}, deps: GatewayDeps = {}): Promise<Gateway> {
  const suppliers = deps.suppliers ?? SUPPLIERS;
  const kinds = deps.kinds ?? TRACKED_KINDS;
  const authenticator = buildAuthenticator(config, log);
  const metrics = new Metrics();
  const http = new SupplierHttp([meterSupplierCalls(metrics), logSupplierCalls(log)], { noTracePropagation: config.noTracePropagation });
  // What a start that fails part-way opened is closed again, last first: the store's lock above
  // all, which would otherwise be left behind for the next start to take over (src/store/data-dir-lock.ts).
  const opened: Array<() => Promise<unknown>> = [() => http.close()];
  try {
    const store = deps.store ?? (await openConfiguredStore(config, log));
    if (!deps.store) opened.unshift(() => store.close());
    // The registry applies order ownership as it hands out ports (issue 21, item 6): the store comes first.
    const ownership = new OrderOwnership(store.owners);
    const registry = buildRegistry({ config, suppliers, sandbox, http, ownership, log });
    const pubsub =
      deps.pubsub ??
      (await createPubSub(
        config.pubsub.redisUrl,
        config.pubsub.redisPrefix,
        (channel, err) =>
          log.warn(
            { err: String(err), channel },
            "Redis did not take a subscription; wake-ups wait for it, the catch-up reads deliver meanwhile",
          ),
        (news) =>
          news.up
            ? log.info("Redis is reachable again")
            : log.warn(
                { err: describeError(news.err) },
                "Redis cannot be reached; events are still recorded, and delivered by the catch-up reads",
              ),
      ));
    opened.unshift(() => pubsub.close());
    const tracking = buildTracking({ config, registry, suppliers, kinds, store, pubsub, metrics, log });
    opened.unshift(() => tracking.dispose());
    metrics.watch({
      circuits: () => registry.list().map((s) => ({ supplier: s.supplier, open: !s.available })),
      openRecords: kinds.map((k) => ({ gauge: k.openGauge, count: () => store.tracked.countOpen(k.name) })),
      pollLagSeconds: () => store.tracked.lagSeconds("void"),
      checkLag: kinds.map((k) => ({ kind: k.name, seconds: () => store.tracked.lagSeconds(k.name) })),
      inboxBacklog: () => store.inbox.backlog(),
      unsettled: async () => {
        const counts = new Map((await store.unsettled.unheldCounts()).map((c) => [c.operation, c.count]));
        return UNSETTLED_OPERATIONS.map((operation) => ({ operation, count: counts.get(operation) ?? 0 }));
      },
      storeUp: () =>
        store.db.ping().then(
          () => true,
          () => false,
        ),
      activeSubscriptions: () => tracking.subscriptions.active,
      tenantSubscriptions: () => ({ max: tracking.subscriptions.busiestTenant, limit: config.subscriptions.maxPerTenant }),
    });
    const services = { registry, tracking, ownership, idempotency: new Idempotency(store.idempotency, log, tracking.laterWrites), metrics };
    const intakes = webhookIntakes(config, suppliers);
    let shuttingDown = false;
    let closingAt = 0;
    const server = await startGatewayServer({
      config,
      suppliers,
      services,
      authenticator,
      store,
      pubsub,
      intakes,
      isShuttingDown: () => shuttingDown,
      log,
    });
    // After the server (no new requests), before tracking and the store: the state-changing
    // operations still running, whose client left or whose socket was closed, finish and are
    // recorded. Within the shutdown's 15 s (src/run.ts); what is still running then is left
    // to the marks a lost reply leaves (docs/tracking.md).
    opened.unshift(async () => {
      const left = await services.idempotency.inFlight.settled(Math.max(0, closingAt + SETTLED_WITHIN_MS - Date.now()));
      if (left) log.warn({ running: left }, "state-changing operations still running at shutdown; their orders keep their marks");
    });
    opened.unshift(() => server.close());
    await tracking.start();
    await registerWebhooks(intakes, registry, { publicUrl: config.webhooks.publicUrl, port: server.port, log });

    return {
      url: server.url,
      port: server.port,
      services,
      server,
      webhookTokens: Object.fromEntries(intakes.map((i) => [i.supplier, i.token])),
      /** The server, tracking, the pub/sub, the store (unless given), the supplier connections. */
      async close() {
        shuttingDown = true;
        closingAt = Date.now();
        // No poll or inbox run starts while the operations in flight finish: what tracking.dispose
        // waits for later is only a run already going, within the 15 s.
        tracking.pause();
        for (const undo of opened) await undo();
      },
    };
  } catch (err) {
    for (const undo of opened) await undo().catch(() => undefined);
    throw err;
  }
}

/** An error as one line; an AggregateError (a host name with several addresses) by each of its errors. */
function describeError(err: unknown): string {
  return err instanceof AggregateError ? err.errors.map(String).join("; ") : String(err);
}
