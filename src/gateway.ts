/**
 * Wires a gateway from its configuration: the supplier HTTP client, the datasources and their
 * registry, the schema and the server. `startGateway` is what `npm start` and the tests run.
 */
import { createAtripAdapter } from "../datasources/atrip/index.js";
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

export async function startGateway(config: Config, log: Logger, sandbox: SandboxUrls = {}): Promise<Gateway> {
  const http = new SupplierHttp();
  const atripUrl = config.atrip.baseUrl ?? sandbox.atrip;
  if (!atripUrl) throw new Error("ATRIP has neither ATRIP_BASE_URL nor a running simulator");
  const atrip = createAtripAdapter({ ...config.atrip, baseUrl: atripUrl }, http, config.atrip.baseUrl === undefined);
  const registry = new SupplierRegistry([atrip]);
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
