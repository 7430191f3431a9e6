/**
 * Builds the adapters of tenants' own supplier accounts (hardening issue, item 4), with the
 * same factories as the gateway's own, only other credentials. Credentials that name the same
 * account at the supplier (datasources/<supplier>/credentials.ts says what names one) are one
 * account: the gateway's own when they are its credentials, and an account shared by those
 * tenants otherwise — so ownership of orders is kept by the gateway wherever two tenants
 * reach one supplier account, however the configuration says it.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SupplierAdapter } from "../../datasources/ports.js";
import type { TenantAccount } from "../../datasources/registry.js";
import type { TenantAccountsConfig } from "./accounts-config.js";

/** How to make, and recognise, accounts of one supplier. */
export interface AccountBuilder<C> {
  /** What identifies the account at the supplier. */
  key(credentials: C): string;
  /** The key of the gateway's own account. */
  sharedKey: string;
  /** The adapter for these credentials (the gateway's factory, other credentials). */
  build(credentials: C): SupplierAdapter;
}

/** The builder of each supplier that takes tenants' own accounts, by name. */
export type AccountBuilders = Partial<Record<SupplierName, AccountBuilder<unknown>>>;

/** Every tenant's own accounts, by tenant and supplier (tenants on the gateway's own account are left out). */
export function buildTenantAccounts(
  config: TenantAccountsConfig,
  builders: AccountBuilders,
): Map<string, Map<SupplierName, TenantAccount>> {
  const out = new Map<string, Map<SupplierName, TenantAccount>>();
  for (const supplier of Object.keys(builders) as SupplierName[]) {
    const builder = builders[supplier] as AccountBuilder<unknown>;
    const byKey = new Map<string, string[]>();
    const tenants = Object.keys(config)
      .filter((t) => config[t][supplier] !== undefined)
      .sort();
    for (const tenant of tenants) {
      const key = builder.key(config[tenant][supplier]);
      byKey.set(key, [...(byKey.get(key) ?? []), tenant]);
    }
    for (const [key, group] of byKey) {
      if (key === builder.sharedKey) continue;
      const account = { id: `own:${group[0]}`, exclusive: group.length === 1 };
      for (const tenant of group) {
        let mine = out.get(tenant);
        if (!mine) out.set(tenant, (mine = new Map()));
        mine.set(supplier, { account, adapter: builder.build(config[tenant][supplier]) });
      }
    }
  }
  return out;
}
