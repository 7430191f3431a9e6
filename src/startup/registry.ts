/**
 * Start-up step: the supplier registry. Each supplier of the wiring list gets its adapter on
 * the gateway's account — at its configured URL, or at its simulator's — and the factories of
 * tenants' own accounts (hardening issue, item 4); the registry applies order ownership to the
 * ports it hands out.
 */
import type { SupplierHttp } from "../../datasources/http.js";
import type { SupplierAdapter } from "../../datasources/ports.js";
import { SupplierRegistry, type OrderGate } from "../../datasources/registry.js";
import type { SupplierContext, SupplierDescriptor } from "../../datasources/supplier.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../logger.js";
import { buildTenantAccounts, type AccountBuilders } from "../tenancy/accounts.js";
import { logOddFields } from "./supplier-calls.js";

export interface RegistryInputs {
  config: Config;
  suppliers: readonly SupplierDescriptor[];
  /** Where the simulators listen, by supplier name, for suppliers without a configured URL. */
  sandbox: Readonly<Record<string, string>>;
  http: SupplierHttp;
  /** Who may operate on an order of a shared account (issue 21, item 6). */
  ownership: OrderGate;
  log: Logger;
}

export function buildRegistry({ config, suppliers, sandbox, http, ownership, log }: RegistryInputs): SupplierRegistry {
  const ctx: SupplierContext = { http, oddFields: logOddFields(log) };
  const adapters: SupplierAdapter[] = [];
  // Tenants' own accounts: the same factories, other credentials.
  const builders: AccountBuilders = {};
  for (const s of suppliers) {
    const { url, settings } = config.suppliers[s.name] ?? s.readSettings({}, { timeoutMs: config.supplierCalls.timeoutMs });
    const at = url ?? sandbox[s.name];
    if (!at) throw new Error(`${s.name} has neither a configured URL nor a running simulator`);
    const onSimulator = url === undefined;
    adapters.push(s.createAdapter(settings, at, onSimulator, ctx));
    const accounts = s.accounts;
    if (accounts)
      builders[s.name] = {
        key: (c) => accounts.key(c),
        sharedKey: accounts.ownKey(settings),
        build: (c) => s.createAdapter(settings, at, onSimulator, ctx, c),
      };
  }
  const tenantAccounts = buildTenantAccounts(config.tenantAccounts ?? {}, builders);
  return new SupplierRegistry(adapters, { resilience: config.supplierCalls.resilience, tenantAccounts, ownership });
}
