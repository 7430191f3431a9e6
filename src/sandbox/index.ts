/**
 * Starts the simulators that stand in for suppliers without a configured URL, on loopback
 * ports, and lists their demo orders for the start-up banner.
 */
import type { Config } from "../config.js";
import type { SandboxUrls } from "../gateway.js";
import { DEMO_ORDERS as ATRIP_ORDERS } from "./atrip/orders.js";
import { AtripSimulator } from "./atrip/server.js";

export interface Sandbox {
  urls: SandboxUrls;
  atrip?: AtripSimulator;
  /** Lines describing the demo orders, for the banner. */
  describe(): string[];
  close(): Promise<void>;
}

export async function startSandbox(config: Config): Promise<Sandbox> {
  const atrip = config.atrip.baseUrl
    ? undefined
    : await AtripSimulator.start({ clientId: config.atrip.clientId, clientSecret: config.atrip.clientSecret, timeScale: config.sandboxTimeScale });
  return {
    urls: { atrip: atrip?.url },
    atrip,
    describe() {
      const lines: string[] = [];
      if (atrip) {
        lines.push(`ATRIP simulator at ${atrip.url} (clock x${config.sandboxTimeScale}); demo orders (add "-anything" for a fresh copy):`);
        for (const o of ATRIP_ORDERS) lines.push(`  ${o.orderNo.padEnd(18)} ${o.shows}`);
      }
      return lines;
    },
    async close() {
      await atrip?.close();
    },
  };
}
