/** A gateway in the test process, against its simulators and a store from the test template. */
import type { AnyKind } from "../../src/tracking/kinds/index.js";
import type { SupplierDescriptor } from "../../datasources/supplier.js";
import { SUPPLIERS } from "../../datasources/suppliers.js";
import { loadConfig } from "../../src/config/index.js";
import { startGateway, type Gateway } from "../../src/gateway.js";
import { createLogger } from "../../src/logger.js";
import type { PubSub } from "../../src/pubsub/index.js";
import type { AlitripSimulator } from "../../src/sandbox/alitrip/server.js";
import type { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import type { CttSimulator } from "../../src/sandbox/ctt/server.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import type { SimulatorLoader } from "../../src/sandbox/simulators.js";
import type { Store } from "../../src/store/index.js";
import { pgliteStore } from "./store.js";

/** The sandbox, with the simulators tests steer typed by supplier. */
interface TestSandbox extends Sandbox {
  atrip?: AtripSimulator;
  alitrip?: AlitripSimulator;
  ctt?: CttSimulator;
}

export interface TestGateway {
  gw: Gateway;
  sandbox: TestSandbox;
  store: Store;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** The suppliers to wire. @default SUPPLIERS */
  suppliers?: readonly SupplierDescriptor[];
  /** The simulators, by supplier name. @default SIMULATORS */
  simulators?: Readonly<Record<string, SimulatorLoader>>;
  /** The tracked kinds. @default TRACKED_KINDS */
  kinds?: readonly AnyKind[];
}

export async function startTestGateway(
  env: Record<string, string> = {},
  store?: Store,
  pubsub?: PubSub,
  opts: TestGatewayOptions = {},
): Promise<TestGateway> {
  const suppliers = opts.suppliers ?? SUPPLIERS;
  const config = loadConfig(
    { PORT: "0", HOST: "127.0.0.1", SANDBOX_TIME_SCALE: "60", SCHEDULER_TICK_MS: "100", ...env },
    suppliers,
    opts.kinds,
  );
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const started = await startSandbox(config, opts.simulators);
  const sandbox: TestSandbox = {
    ...started,
    atrip: started.simulators.ATRIP?.instance as AtripSimulator | undefined,
    alitrip: started.simulators.ALITRIP?.instance as AlitripSimulator | undefined,
    ctt: started.simulators.CTT?.instance as CttSimulator | undefined,
  };
  const s = store ?? (await pgliteStore());
  const gw = await startGateway(config, log, started.urls, { store: s, pubsub, suppliers, kinds: opts.kinds });
  return {
    gw,
    sandbox,
    store: s,
    url: gw.url,
    wsUrl: gw.url.replace(/^http/, "ws"),
    async close() {
      await gw.close();
      await started.close();
      if (!store) await s.close();
    },
  };
}
