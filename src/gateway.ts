/**
 * Wires a gateway from its configuration: the store, the pub/sub, the supplier HTTP client,
 * the datasources and their registry, the tracking engine, the schema and the server.
 * `startGateway` is what `npm start` and the tests run.
 */
import { randomBytes } from "node:crypto";
import type { SupplierName } from "./vocabulary/suppliers.js";
import { SupplierHttp } from "../datasources/http.js";
import type { OddField } from "../datasources/lenient.js";
import { SupplierRegistry } from "../datasources/registry.js";
import type { SupplierDescriptor } from "../datasources/supplier.js";
import { SUPPLIERS } from "../datasources/suppliers.js";
import type { Services } from "../resolvers/context.js";
import { addSuppliers } from "../schema/enums.js";
import { ApiKeys } from "./auth/api-keys.js";
import { Authenticator } from "./auth/index.js";
import { allowsAnonymous, V, type Config } from "./config.js";
import type { Logger } from "./logger.js";
import { createPubSub, type PubSub } from "./pubsub/index.js";
import { currentRequestId } from "./request-context.js";
import { Metrics } from "./metrics.js";
import { Idempotency } from "./reliability/idempotency.js";
import { buildSubgraphGatewaySchema } from "./federation/schema.js";
import { buildGatewaySchema } from "./schema.js";
import { startServer, type RunningServer } from "./server/app.js";
import { healthRouter } from "./server/health.js";
import { webhookRouter } from "./server/webhooks.js";
import { openStore, type Store } from "./store/index.js";
import { buildTenantAccounts, type AccountBuilders } from "./tenancy/accounts.js";
import { OrderOwnership } from "./tenancy/ownership.js";
import { Tracking } from "./tracking/index.js";

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

export interface GatewayDeps {
  /** An already open store to use instead of opening one from the configuration (tests). */
  store?: Store;
  /** A pub/sub to use instead of the configured one (tests); closed with the gateway. */
  pubsub?: PubSub;
  /** The suppliers to wire (tests add one); the same list the configuration was read with. @default SUPPLIERS */
  suppliers?: readonly SupplierDescriptor[];
}

export async function startGateway(config: Config, log: Logger, sandbox: SandboxUrls = {}, deps: GatewayDeps = {}): Promise<Gateway> {
  const allowAnonymous = allowsAnonymous(config);
  if (allowAnonymous)
    log.warn("no API_KEYS or JWT configured: anonymous access as tenant 'demo' (allowed only because every supplier is a simulator)");
  const authenticator = new Authenticator({
    apiKeys: config.apiKeys ? new ApiKeys(config.apiKeys) : undefined,
    jwt: config.jwt,
    allowAnonymous,
  });
  // The sources are read at scrape time, once everything below exists.
  const metrics = new Metrics({
    circuits: () => registry.list().map((s) => ({ supplier: s.supplier, open: !s.available })),
    openVoids: () => store.tracked.countOpen("void"),
    pendingStops: () => store.tracked.countOpen("stop"),
    pollLagSeconds: () => store.tracked.lagSeconds("void"),
    activeSubscriptions: () => tracking.subscriptions.active,
  });
  const http = new SupplierHttp(
    (c) => {
      metrics.supplierCall(c);
      const requestId = currentRequestId();
      // Calls a client asked for at info; background tracking (polls, confirmations) at debug.
      log[requestId ? "info" : "debug"](
        {
          requestId,
          supplier: c.supplier,
          operation: c.operation,
          durationMs: Math.round(c.durationMs),
          outcome: c.outcome,
          httpStatus: c.httpStatus,
        },
        "supplier call",
      );
    },
    { noTracePropagation: config.noTracePropagation },
  );
  // A reply field of an unexpected shape is left out of the answer and logged once (issue 13, item 5).
  const ctx = { http, oddFields: (odd: OddField) => log.warn({ ...odd }, "supplier reply field of an unexpected shape left out") };
  const suppliers = deps.suppliers ?? SUPPLIERS;
  const adapters = [];
  // Tenants' own accounts: the same factories, other credentials (hardening issue, item 4).
  const builders: AccountBuilders = {};
  for (const s of suppliers) {
    const { url, settings } = config.suppliers[s.name] ?? s.readSettings({}, { timeoutMs: config.supplierTimeoutMs });
    const at = url ?? sandbox[s.name];
    if (!at) throw new Error(`${s.name} has neither a configured URL nor a running simulator`);
    const onSimulator = url === undefined;
    adapters.push(s.createAdapter(settings, at, onSimulator, ctx));
    const accounts = s.accounts;
    if (accounts)
      builders[s.name] = {
        key: (c) => accounts.key(c),
        sharedKey: accounts.ownKey(settings),
        build: (c) => s.createAdapter(settings, at, onSimulator, ctx, c),
      };
  }
  const tenantAccounts = buildTenantAccounts(config.tenantAccounts ?? {}, builders);
  const store =
    deps.store ??
    (await openStore({
      databaseUrl: config.databaseUrl,
      databaseSchema: config.databaseSchema,
      dataDir: config.dataDir,
      onMaintenanceError: (err) =>
        log.warn({ err: String(err) }, "embedded store maintenance (vacuum, analyze) failed; the next round tries again"),
    }));
  // The registry applies order ownership as it hands out ports (issue 21, item 6): the store comes first.
  const ownership = new OrderOwnership(store.owners);
  const registry = new SupplierRegistry(adapters, { resilience: config.resilience, tenantAccounts, ownership });

  // The simulators' clock runs faster: when every supplier with tracked records is a simulator,
  // the gateway's schedule (unless set explicitly) and the stop delays follow it.
  const tracked = registry.list().filter((i) => i.operations.includes("VOID") || i.operations.includes("STOP_TICKET_ISSUANCE"));
  const scale = tracked.length > 0 && tracked.every((i) => i.sandbox) ? config.sandboxTimeScale : 1;
  const scaled = (ms: number, variable: { name: string }) => (config.given.has(variable.name) ? ms : ms / scale);
  const stopDelays = new Map(suppliers.map((s) => [s.name, (s.timing?.stopOutcomeDelayMs ?? 0) / scale]));
  const pubsub = deps.pubsub ?? createPubSub(config.redisUrl, config.redisPrefix);
  const tracking = new Tracking({
    store,
    registry,
    pubsub,
    log,
    policy: {
      minMs: scaled(config.voidPollMinMs, V.VOID_POLL_MIN_MS),
      maxMs: scaled(config.voidPollMaxMs, V.VOID_POLL_MAX_MS),
      watchedMs: config.voidPollWatchedMs,
    },
    stopCheckDelayMs: (supplier: SupplierName) => config.stopCheckDelayMs ?? stopDelays.get(supplier) ?? 0,
    tickMs: config.schedulerTickMs,
    leaseMs: config.leaseMs,
    catchUpMs: config.eventCatchUpMs,
    maxSubscriptionsPerTenant: config.maxSubscriptionsPerTenant,
    onRecorded: (kind) => metrics.eventPublished(kind),
    onLogRead: (events, seconds) => metrics.logRead(events, seconds),
  });
  const services: Services = { registry, tracking, ownership, idempotency: new Idempotency(store.idempotency), metrics };
  const intakes = suppliers.flatMap((s) =>
    s.webhooks
      ? [
          {
            supplier: s.name,
            segment: s.webhooks.segment,
            token: s.webhooks.token(config.suppliers[s.name]?.settings) ?? randomBytes(24).toString("hex"),
          },
        ]
      : [],
  );
  let shuttingDown = false;

  addSuppliers(suppliers);
  const schema = config.federationSubgraph ? await buildSubgraphGatewaySchema() : await buildGatewaySchema();
  const server = await startServer({
    schema,
    services,
    authenticator,
    log,
    port: config.port,
    host: config.host,
    limits: config.limits,
    maxBodyBytes: config.maxBodyBytes,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    corsOrigins: config.corsOrigins,
    trustedDocuments: config.trustedDocuments,
    production: config.production,
    wsKeepAliveMs: config.wsKeepAliveMs,
    wsConnectionInitTimeoutMs: config.wsConnectionInitTimeoutMs,
    httpKeepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
    routes: (app) => {
      app.use(healthRouter({ store, pubsub, isShuttingDown: () => shuttingDown, metrics }));
      app.use(
        webhookRouter({
          registry,
          inbox: store.inbox,
          intakes,
          maxBytes: config.webhookMaxBytes,
          ratePerSecond: config.webhookRateLimit,
          log,
          onStored: () => tracking.pollers.inbox.kick(),
          onOutcome: (supplier, outcome) => metrics.webhook(supplier, outcome),
        }),
      );
    },
  });
  await tracking.start();

  // Each supplier's webhook URL is registered with every one of its accounts (tenants' own
  // accounts send their webhooks here too); in sandbox with the simulators, by themselves.
  for (const intake of intakes) {
    const onSimulator = registry.get(intake.supplier)?.sandbox ?? false;
    const base = config.webhookPublicUrl ?? (onSimulator ? `http://127.0.0.1:${server.port}` : undefined);
    if (!base) {
      log.info(
        { supplier: intake.supplier },
        "WEBHOOK_PUBLIC_URL is not set: webhooks are not registered automatically; polling tracks every record",
      );
      continue;
    }
    for (const account of registry.accounts(intake.supplier)) {
      await account.webhooks?.register(`${base.replace(/\/+$/, "")}/webhooks/${intake.segment}/${intake.token}`).catch((err: unknown) => {
        log.warn({ err: String(err), supplier: intake.supplier }, "could not register the webhook URL; polling still tracks every record");
      });
    }
  }

  return {
    url: server.url,
    port: server.port,
    services,
    server,
    webhookTokens: Object.fromEntries(intakes.map((i) => [i.supplier, i.token])),
    async close() {
      shuttingDown = true;
      await server.close();
      await tracking.dispose();
      await pubsub.close();
      if (!deps.store) await store.close();
      await http.close();
    },
  };
}
