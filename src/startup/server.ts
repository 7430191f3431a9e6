/** Start-up step: the schema and the server — GraphQL over HTTP and websockets, health, metrics and the webhook intake. */
import type { SupplierDescriptor } from "../../datasources/supplier.js";
import type { Services } from "../../resolvers/context.js";
import { addSuppliers } from "../../schema/enums.js";
import type { Authenticator } from "../auth/index.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import { buildGatewaySchema } from "../schema.js";
import { startServer, type RunningServer } from "../server/app.js";
import { healthRouter } from "../server/health.js";
import { webhookHandler } from "../server/webhooks.js";
import type { Store } from "../store/index.js";
import type { WebhookIntake } from "./webhooks.js";

export interface ServerInputs {
  config: Config;
  suppliers: readonly SupplierDescriptor[];
  services: Services;
  authenticator: Authenticator;
  store: Store;
  pubsub: PubSub;
  intakes: readonly WebhookIntake[];
  /** True once shutdown began: /readyz answers 503. */
  isShuttingDown: () => boolean;
  log: Logger;
}

export async function startGatewayServer(p: ServerInputs): Promise<RunningServer> {
  const { config, services, log } = p;
  addSuppliers(p.suppliers);
  // The federation modules (and @apollo/subgraph) are loaded only for a subgraph (issue 22).
  const schema = config.http.federationSubgraph
    ? await (await import("../federation/schema.js")).buildSubgraphGatewaySchema()
    : await buildGatewaySchema();
  return startServer({
    schema,
    services,
    authenticator: p.authenticator,
    log,
    port: config.http.port,
    host: config.http.host,
    limits: config.limits,
    maxBodyBytes: config.http.maxBodyBytes,
    maxSubscriptionsPerConnection: config.subscriptions.maxPerConnection,
    corsOrigins: config.http.corsOrigins,
    trustedDocuments: config.trustedDocuments,
    federationSubgraph: config.http.federationSubgraph,
    production: config.http.production,
    wsKeepAliveMs: config.subscriptions.wsKeepAliveMs,
    wsConnectionInitTimeoutMs: config.subscriptions.wsConnectionInitTimeoutMs,
    httpKeepAliveTimeoutMs: config.http.keepAliveTimeoutMs,
    explorer: config.http.explorer,
    leanExecution: config.http.leanExecution,
    httpStreams: { heartbeatMs: config.subscriptions.httpHeartbeatMs, maxBufferedBytes: config.subscriptions.httpMaxBufferedBytes },
    routes: (app) => {
      app.use(healthRouter({ store: p.store, pubsub: p.pubsub, isShuttingDown: p.isShuttingDown, metrics: services.metrics }));
    },
    webhooks: webhookHandler({
      registry: services.registry,
      inbox: p.store.inbox,
      intakes: [...p.intakes],
      maxBytes: config.webhooks.maxBytes,
      ratePerSecond: config.webhooks.rateLimit,
      log,
      owner: services.tracking.owner,
      onStored: (row, hint) => services.tracking.webhookStored(row, hint),
      onOutcome: (supplier, outcome) => services.metrics.webhook(supplier, outcome),
    }),
  });
}
