/**
 * The Apollo Server plugins of /graphql over HTTP, one concern each and switched on from one
 * list (`apolloPlugins`), after Hive Gateway's `use*` plugins. Each is its own module and
 * unit-tested through `executeOperation`, without a port (test/unit/server-parts.test.ts).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import type http from "node:http";
import type { GatewayContext } from "../../resolvers/context.js";
import { explorerPlugin, type Explorer } from "./explorer.js";
import { refuseHttpSubscriptionsPlugin } from "./http-subscriptions.js";
import type { OperationLabels } from "./operation-label.js";
import type { OperationCounter } from "./operation-meter.js";
import { operationMetricsPlugin } from "./operation-metrics.js";

/** What the plugins need; each optional part switches its plugin on. */
export interface ApolloPluginDeps {
  /** Drained on stop: in-flight requests finish, idle connections close. */
  httpServer?: http.Server;
  /** How long the drain waits for requests in flight before it cuts their connections. @default 10_000 (Apollo's) */
  drainGraceMs?: number;
  /** Stopped with the server, as HTTP drains (the HTTP streams, the websocket server), in this order. */
  alsoStop?: ReadonlyArray<{ dispose(): Promise<void> }>;
  metrics: OperationCounter;
  labels: OperationLabels;
  /** What GET /graphql shows a browser (EXPLORER; ./explorer.ts). @default "sandbox" */
  explorer?: Explorer;
}

/** Stops other servers (the HTTP streams, the websocket server) when Apollo drains. */
function stopOnDrain(targets: ReadonlyArray<{ dispose(): Promise<void> }>): ApolloServerPlugin<GatewayContext> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          for (const target of targets) await target.dispose();
        },
      };
    },
  };
}

/** The plugin list, in the order Apollo runs their hooks. */
export function apolloPlugins(d: ApolloPluginDeps): Array<ApolloServerPlugin<GatewayContext>> {
  return [
    // On by default, the cache-control plugin wraps every field resolver (willResolveField)
    // to compute cache hints nothing here uses (no @cacheControl, no response cache; issue 14).
    ApolloServerPluginCacheControlDisabled(),
    ...(d.httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer: d.httpServer, stopGracePeriodMillis: d.drainGraceMs })] : []),
    ...(d.alsoStop ? [stopOnDrain(d.alsoStop)] : []),
    explorerPlugin<GatewayContext>(d.explorer ?? "sandbox"),
    refuseHttpSubscriptionsPlugin(),
    operationMetricsPlugin(d.metrics, d.labels),
  ];
}
