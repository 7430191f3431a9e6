/**
 * Starts the simulators that stand in for suppliers without a configured URL, on loopback
 * ports, and lists their demo orders for the start-up banner.
 */
import type { Config } from "../config.js";
import type { SandboxUrls } from "../gateway.js";
import { ALITRIP_ORDERS } from "./alitrip/orders.js";
import { AlitripSimulator } from "./alitrip/server.js";
import { DEMO_ORDERS as ATRIP_ORDERS } from "./atrip/orders.js";
import { AtripSimulator } from "./atrip/server.js";
import { CTT_ORDERS } from "./ctt/orders.js";
import { CttSimulator } from "./ctt/server.js";
import type { DemoTemplate } from "./demo-orders.js";

export interface Sandbox {
  urls: SandboxUrls;
  atrip?: AtripSimulator;
  alitrip?: AlitripSimulator;
  ctt?: CttSimulator;
  /** Lines describing the demo orders, for the banner. */
  describe(): string[];
  close(): Promise<void>;
}

export async function startSandbox(config: Config): Promise<Sandbox> {
  // Tenants' own accounts (TENANT_SUPPLIER_ACCOUNTS) exist at the simulators too.
  const own = Object.entries(config.tenantAccounts ?? {});
  const atrip = config.atrip.baseUrl
    ? undefined
    : await AtripSimulator.start({
        clientId: config.atrip.clientId,
        clientSecret: config.atrip.clientSecret,
        accounts: own.flatMap(([, a]) => (a.ATRIP ? [a.ATRIP] : [])),
        timeScale: config.sandboxTimeScale,
      });
  const alitrip = config.alitrip.routerUrl
    ? undefined
    : await AlitripSimulator.start({
        appKey: config.alitrip.appKey,
        appSecret: config.alitrip.appSecret,
        session: config.alitrip.session,
        accounts: own.flatMap(([, a]) => (a.ALITRIP ? [{ appKey: a.ALITRIP.appKey, appSecret: a.ALITRIP.appSecret, session: a.ALITRIP.session }] : [])),
      });
  const ctt = config.ctt.baseUrl
    ? undefined
    : await CttSimulator.start({ signKey: config.ctt.signKey, accounts: own.flatMap(([tenant, a]) => (a.CTT ? [{ signKey: a.CTT.signKey, label: `tenant-${tenant}` }] : [])) });
  const section = (name: string, url: string, extra: string, orders: DemoTemplate[]) => [
    `${name} simulator at ${url}${extra}; demo orders (add "-anything" for a fresh copy):`,
    ...orders.map((o) => `  ${o.orderNo.padEnd(18)} ${o.shows}`),
  ];
  return {
    urls: { atrip: atrip?.url, alitrip: alitrip?.url, ctt: ctt?.url },
    atrip,
    alitrip,
    ctt,
    describe() {
      return [
        ...(atrip ? section("ATRIP", atrip.url, ` (clock x${config.sandboxTimeScale})`, ATRIP_ORDERS) : []),
        ...(alitrip ? section("ALITRIP", alitrip.url, "", ALITRIP_ORDERS) : []),
        ...(ctt ? section("CTT", ctt.url, "", CTT_ORDERS) : []),
      ];
    },
    async close() {
      await Promise.all([atrip?.close(), alitrip?.close(), ctt?.close()]);
    },
  };
}
