/**
 * Wires a gateway from its configuration: the store, the pub/sub, the supplier HTTP client,
 * the datasources and their registry, the tracking engine, the schema and the server.
 * `startGateway` is what `npm start` and the tests run.
 */
import { randomBytes } from "node:crypto";
import { createAlitripAdapter } from "../datasources/alitrip/index.js";
import { createAtripAdapter } from "../datasources/atrip/index.js";
import { createCttAdapter } from "../datasources/ctt/index.js";
import { SupplierHttp } from "../datasources/http.js";
import type { OddField } from "../datasources/lenient.js";
import { SupplierRegistry } from "../datasources/registry.js";
import { withResilience } from "../datasources/resilience/index.js";
import type { Services } from "../resolvers/context.js";
import { ApiKeys } from "./auth/api-keys.js";
import { Authenticator } from "./auth/index.js";
import { allowsAnonymous, type Config } from "./config.js";
import type { Logger } from "./logger.js";
import { createPubSub, type PubSub } from "./pubsub/index.js";
import { currentRequestId } from "./request-context.js";
import { Metrics } from "./metrics.js";
import { Idempotency } from "./reliability/idempotency.js";
import { buildGatewaySchema } from "./schema.js";
import { startServer, type RunningServer } from "./server/app.js";
import { healthRouter } from "./server/health.js";
import { webhookRouter } from "./server/webhooks.js";
import { openStore, type Store } from "./store/index.js";
import { Tracking } from "./tracking/index.js";

/** Where the embedded simulators listen, when they stand in for real suppliers. */
export interface SandboxUrls {
  atrip?: string;
  alitrip?: string;
  ctt?: string;
}

export interface Gateway {
  url: string;
  port: number;
  services: Services;
  server: RunningServer;
  /** The secret path segment of /webhooks/atrip/<token>. */
  webhookToken: string;
  close(): Promise<void>;
}

/** Supplier defaults in real time; in sandbox they run on the simulators' faster clock. */
const STOP_CHECK_DELAY_MS = 480_000;
const VOID_POLL_MIN_MS = 60_000;
const VOID_POLL_MAX_MS = 1_800_000;

function urlOf(supplier: string, configured: string | undefined, simulator: string | undefined): string {
  const url = configured ?? simulator;
  if (!url) throw new Error(`${supplier} has neither a configured URL nor a running simulator`);
  return url;
}

export interface GatewayDeps {
  /** An already open store to use instead of opening one from the configuration (tests). */
  store?: Store;
  /** A pub/sub to use instead of the configured one (tests); closed with the gateway. */
  pubsub?: PubSub;
}

export async function startGateway(config: Config, log: Logger, sandbox: SandboxUrls = {}, deps: GatewayDeps = {}): Promise<Gateway> {
  const allowAnonymous = allowsAnonymous(config);
  if (allowAnonymous) log.warn("no API_KEYS or JWT configured: anonymous access as tenant 'demo' (allowed only because every supplier is a simulator)");
  const authenticator = new Authenticator({ apiKeys: config.apiKeys ? new ApiKeys(config.apiKeys) : undefined, jwt: config.jwt, allowAnonymous });
  // The sources are read at scrape time, once everything below exists.
  const metrics = new Metrics({
    circuits: () => registry.list().map((s) => ({ supplier: s.supplier, open: !s.available })),
    openVoids: () => store.tracked.countOpen("void"),
    pendingStops: () => store.tracked.countOpen("stop"),
    pollLagSeconds: () => store.tracked.lagSeconds("void"),
    activeSubscriptions: () => tracking.subscriptions.active,
  });
  const noTracePropagation = new Set(
    ([["ATRIP", config.atrip], ["ALITRIP", config.alitrip], ["CTT", config.ctt]] as const).filter(([, s]) => !s.tracePropagation).map(([name]) => name),
  );
  const http = new SupplierHttp((c) => {
    metrics.supplierCall(c);
    const requestId = currentRequestId();
    // Calls a client asked for at info; background tracking (polls, confirmations) at debug.
    log[requestId ? "info" : "debug"](
      { requestId, supplier: c.supplier, operation: c.operation, durationMs: Math.round(c.durationMs), outcome: c.outcome, httpStatus: c.httpStatus },
      "supplier call",
    );
  }, { noTracePropagation });
  // A reply field of an unexpected shape is left out of the answer and logged once (issue 13, item 5).
  const oddFields = (odd: OddField) => log.warn({ ...odd }, "supplier reply field of an unexpected shape left out");
  const atrip = createAtripAdapter({ ...config.atrip, baseUrl: urlOf("ATRIP", config.atrip.baseUrl, sandbox.atrip) }, http, !config.atrip.baseUrl, { oddFields });
  const alitrip = createAlitripAdapter(
    { ...config.alitrip, routerUrl: urlOf("ALITRIP", config.alitrip.routerUrl, sandbox.alitrip) },
    http,
    !config.alitrip.routerUrl,
    { oddFields },
  );
  const ctt = createCttAdapter({ ...config.ctt, baseUrl: urlOf("CTT", config.ctt.baseUrl, sandbox.ctt) }, http, !config.ctt.baseUrl);
  // One line per supplier: adding a supplier is a datasource folder, a simulator and a line here.
  const registry = new SupplierRegistry([atrip, alitrip, ctt].map((a) => withResilience(a, config.resilience)));

  const scale = atrip.sandbox ? config.sandboxTimeScale : 1;
  const store = deps.store ?? (await openStore({ databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema, dataDir: config.dataDir }));
  const pubsub = deps.pubsub ?? createPubSub(config.redisUrl, config.redisPrefix);
  const tracking = new Tracking({
    store,
    registry,
    pubsub,
    log,
    policy: {
      minMs: config.voidPollMinMs ?? VOID_POLL_MIN_MS / scale,
      maxMs: config.voidPollMaxMs ?? VOID_POLL_MAX_MS / scale,
      watchedMs: config.voidPollWatchedMs,
    },
    stopCheckDelayMs: config.stopCheckDelayMs ?? STOP_CHECK_DELAY_MS / scale,
    tickMs: config.schedulerTickMs,
    leaseMs: config.leaseMs,
    catchUpMs: config.eventCatchUpMs,
    onRecorded: (kind) => metrics.eventPublished(kind),
    onLogRead: (events, seconds) => metrics.logRead(events, seconds),
  });
  const services: Services = { registry, store, tracking, idempotency: new Idempotency(store.idempotency), metrics };
  const webhookToken = config.webhookToken ?? randomBytes(24).toString("hex");
  let shuttingDown = false;

  const schema = await buildGatewaySchema();
  const server = await startServer({
    schema,
    services,
    authenticator,
    log,
    port: config.port,
    host: config.host,
    limits: config.limits,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
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
          tokens: { ATRIP: webhookToken },
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

  const webhookBase = config.webhookPublicUrl ?? (atrip.sandbox ? `http://127.0.0.1:${server.port}` : undefined);
  if (webhookBase) {
    await atrip.webhooks!.register(`${webhookBase.replace(/\/+$/, "")}/webhooks/atrip/${webhookToken}`).catch((err: unknown) => {
      log.warn({ err: String(err) }, "could not register the ATRIP webhook URL; polling still tracks every void");
    });
  } else {
    log.info("WEBHOOK_PUBLIC_URL is not set: ATRIP webhooks are not registered automatically; polling tracks every void");
  }

  return {
    url: server.url,
    port: server.port,
    services,
    server,
    webhookToken,
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
