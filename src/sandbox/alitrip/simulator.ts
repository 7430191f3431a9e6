/** Alitrip's simulator (the Taobao Open Platform) as the sandbox starts it: the gateway's app, tenants' own, its demo orders. */
import { describeDemoOrders } from "../demo-orders.js";
import type { SimulatorSpec } from "../simulator.js";
import { ALITRIP_ORDERS } from "./orders.js";
import { AlitripSimulator } from "./server.js";

interface App {
  appKey: string;
  appSecret: string;
  session: string;
}

export const alitripSimulator: SimulatorSpec<App, App> = {
  async start(settings, opts) {
    const sim = await AlitripSimulator.start({
      appKey: settings.appKey,
      appSecret: settings.appSecret,
      session: settings.session,
      accounts: opts.accounts.map(({ credentials: c }) => ({ appKey: c.appKey, appSecret: c.appSecret, session: c.session })),
    });
    return {
      url: sim.url,
      instance: sim,
      describe: () => describeDemoOrders(`ALITRIP simulator at ${sim.url}`, ALITRIP_ORDERS),
      close: () => sim.close(),
    };
  },
};
