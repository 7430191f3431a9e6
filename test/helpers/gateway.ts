/** A gateway in the test process, against its simulators and a store from the test template. */
import { loadConfig } from "../../src/config.js";
import { startGateway, type Gateway } from "../../src/gateway.js";
import { createLogger } from "../../src/logger.js";
import type { PubSub } from "../../src/pubsub/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import type { Store } from "../../src/store/index.js";
import { pgliteStore } from "./store.js";

export interface TestGateway {
  gw: Gateway;
  sandbox: Sandbox;
  store: Store;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startTestGateway(env: Record<string, string> = {}, store?: Store, pubsub?: PubSub): Promise<TestGateway> {
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", SANDBOX_TIME_SCALE: "60", SCHEDULER_TICK_MS: "100", ...env });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const sandbox = await startSandbox(config);
  const s = store ?? (await pgliteStore());
  const gw = await startGateway(config, log, sandbox.urls, { store: s, pubsub });
  return {
    gw,
    sandbox,
    store: s,
    url: gw.url,
    wsUrl: gw.url.replace(/^http/, "ws"),
    async close() {
      await gw.close();
      await sandbox.close();
      if (!store) await s.close();
    },
  };
}
