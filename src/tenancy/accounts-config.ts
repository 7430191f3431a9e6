/**
 * Tenants' own supplier accounts, from TENANT_SUPPLIER_ACCOUNTS (JSON) or the file
 * TENANT_SUPPLIER_ACCOUNTS_FILE names (hardening issue, item 4):
 *
 *   { "<tenant>": { "<SUPPLIER>": { …that supplier's credentials… } } }
 *
 * Which suppliers take accounts, and what their credentials are, each supplier's descriptor
 * says (`accounts.schema`, datasources/<name>/credentials.ts).
 * A tenant listed for a supplier has every call for it made with these credentials; any other
 * tenant, or supplier, uses the gateway's account. Problems are reported by where they are
 * (tenant, supplier, field), never by value: the values are secrets.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { SupplierDescriptor } from "../../datasources/supplier.js";
import { ConfigError } from "../config-kit.js";
import { parseJsonSetting } from "../config/json-setting.js";
import { TENANT_PATTERN } from "../auth/principal.js";

/** One tenant's own accounts: credentials by supplier name. */
type TenantCredentials = Record<string, unknown>;

/** Every tenant's own accounts. */
export type TenantAccountsConfig = Record<string, TenantCredentials>;

function schemaOf(suppliers: readonly SupplierDescriptor[]) {
  const bySupplier = Object.fromEntries(suppliers.flatMap((s) => (s.accounts ? [[s.name, s.accounts.schema.optional()]] : [])));
  return z.record(z.string().regex(TENANT_PATTERN, "a tenant must be 1-64 letters, digits, '-' or '_'"), z.strictObject(bySupplier));
}

/**
 * Reads the accounts from the JSON variable or the file variable (not both). Undefined when
 * neither is set; a ConfigError naming the variable (never a value) when one is wrong.
 */
export function readTenantAccounts(
  json: string | undefined,
  file: string | undefined,
  suppliers: readonly SupplierDescriptor[],
): TenantAccountsConfig | undefined {
  if (json !== undefined && file !== undefined)
    throw new ConfigError(
      "TENANT_SUPPLIER_ACCOUNTS_FILE",
      "set either TENANT_SUPPLIER_ACCOUNTS or TENANT_SUPPLIER_ACCOUNTS_FILE, not both",
    );
  const variable = file !== undefined ? "TENANT_SUPPLIER_ACCOUNTS_FILE" : "TENANT_SUPPLIER_ACCOUNTS";
  let text = json;
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError(variable, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (text === undefined) return undefined;
  const parsed = schemaOf(suppliers).safeParse(parseJsonSetting(variable, text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    // A bad tenant name is reported inside the record's "invalid key" issue.
    const inner = issue?.code === "invalid_key" ? issue.issues[0]?.message : undefined;
    throw new ConfigError(variable, `${where}${inner ?? issue?.message ?? "invalid"}`);
  }
  return parsed.data as TenantAccountsConfig;
}
