/**
 * Wires a gateway from its configuration: the supplier HTTP client, the datasources and their
 * registry, the schema and the server. `startGateway` is what `npm start` and the tests run.
 */
import { createAlitripAdapter } from "../datasources/alitrip/index.js";
import { createAtripAdapter } from "../datasources/atrip/index.js";
import { createCttAdapter } from "../datasources/ctt/index.js";
import { SupplierHttp } from "../datasources/http.js";
import { SupplierRegistry } from "../datasources/registry.js";
import type { Services } from "../resolvers/context.js";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import { buildGatewaySchema } from "./schema.js";
import { startServer, type RunningServer } from "./server/app.js";

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
  close(): Promise<void>;
}

/** The default stop check delay: 8 minutes, as ATRIP documents; scaled with the simulators' clock. */
const STOP_CHECK_DELAY_MS = 480_000;

function urlOf(supplier: string, configured: string | undefined, simulator: string | undefined): string {
  const url = configured ?? simulator;
  if (!url) throw new Error(`${supplier} has neither a configured URL nor a running simulator`);
  return url;
}

export async function startGateway(config: Config, log: Logger, sandbox: SandboxUrls = {}): Promise<Gateway> {
  const http = new SupplierHttp();
  const atrip = createAtripAdapter({ ...config.atrip, baseUrl: urlOf("ATRIP", config.atrip.baseUrl, sandbox.atrip) }, http, !config.atrip.baseUrl);
  const alitrip = createAlitripAdapter(
    { ...config.alitrip, routerUrl: urlOf("ALITRIP", config.alitrip.routerUrl, sandbox.alitrip) },
    http,
    !config.alitrip.routerUrl,
  );
  const ctt = createCttAdapter({ ...config.ctt, baseUrl: urlOf("CTT", config.ctt.baseUrl, sandbox.ctt) }, http, !config.ctt.baseUrl);
  // One line per supplier: adding a supplier is a datasource folder, a simulator and a line here.
  const registry = new SupplierRegistry([atrip, alitrip, ctt]);
  const services: Services = {
    registry,
    stopCheckDelayMs: config.stopCheckDelayMs ?? (atrip.sandbox ? STOP_CHECK_DELAY_MS / config.sandboxTimeScale : STOP_CHECK_DELAY_MS),
  };
  const schema = await buildGatewaySchema();
  const server = await startServer({ schema, services, log, port: config.port, host: config.host });
  return {
    url: server.url,
    port: server.port,
    services,
    server,
    async close() {
      await server.close();
      http.close();
    },
  };
}
