/** ATRIP's simulator as the sandbox starts it: the gateway's account, tenants' own, its demo orders. */
import { describeDemoOrders } from "../demo-orders.js";
import type { SimulatorSpec } from "../simulator.js";
import { DEMO_ORDERS } from "./orders.js";
import { AtripSimulator } from "./server.js";

interface Account {
  clientId: string;
  clientSecret: string;
}

export const atripSimulator: SimulatorSpec<Account, Account> = {
  async start(settings, opts) {
    const sim = await AtripSimulator.start({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      accounts: opts.accounts.map((a) => a.credentials),
      timeScale: opts.timeScale,
    });
    return {
      url: sim.url,
      instance: sim,
      describe: () => describeDemoOrders(`ATRIP simulator at ${sim.url} (clock x${opts.timeScale})`, DEMO_ORDERS),
      close: () => sim.close(),
    };
  },
};
