/** CTT's simulator as the sandbox starts it: the gateway's sign key, tenants' own, its demo orders. */
import { describeDemoOrders } from "../demo-orders.js";
import type { SimulatorSpec } from "../simulator.js";
import { CTT_ORDERS } from "./orders.js";
import { CttSimulator } from "./server.js";

interface Account {
  signKey: string;
}

export const cttSimulator: SimulatorSpec<Account, Account> = {
  async start(settings, opts) {
    const sim = await CttSimulator.start({
      signKey: settings.signKey,
      accounts: opts.accounts.map(({ tenant, credentials }) => ({ signKey: credentials.signKey, label: `tenant-${tenant}` })),
    });
    return {
      url: sim.url,
      instance: sim,
      describe: () => describeDemoOrders(`CTT simulator at ${sim.url}`, CTT_ORDERS),
      close: () => sim.close(),
    };
  },
};
