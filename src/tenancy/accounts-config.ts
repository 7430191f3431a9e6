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
import { TENANT_PATTERN } from "../auth/principal.js";

/** One tenant's own accounts: credentials by supplier name. */
export type TenantCredentials = Record<string, unknown>;

/** Every tenant's own accounts. */
export type TenantAccountsConfig = Record<string, TenantCredentials>;

function schemaOf(suppliers: readonly SupplierDescriptor[]) {
  const bySupplier = Object.fromEntries(suppliers.flatMap((s) => (s.accounts ? [[s.name, s.accounts.schema.optional()]] : [])));
  return z.record(z.string().regex(TENANT_PATTERN, "a tenant must be 1-64 letters, digits, '-' or '_'"), z.strictObject(bySupplier));
}

/** The variable a problem is about, and the problem (never a value). */
export interface AccountsProblem {
  variable: string;
  problem: string;
}

/**
 * Reads the accounts from the JSON variable or the file variable (not both). Undefined when
 * neither is set; an AccountsProblem when one is wrong.
 */
export function readTenantAccounts(
  json: string | undefined,
  file: string | undefined,
  suppliers: readonly SupplierDescriptor[],
): TenantAccountsConfig | AccountsProblem | undefined {
  if (json !== undefined && file !== undefined)
    return {
      variable: "TENANT_SUPPLIER_ACCOUNTS_FILE",
      problem: "set either TENANT_SUPPLIER_ACCOUNTS or TENANT_SUPPLIER_ACCOUNTS_FILE, not both",
    };
  const variable = file !== undefined ? "TENANT_SUPPLIER_ACCOUNTS_FILE" : "TENANT_SUPPLIER_ACCOUNTS";
  let text = json;
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      return { variable, problem: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? "error"})` };
    }
  }
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a secret.
    return { variable, problem: "is not valid JSON" };
  }
  const parsed = schemaOf(suppliers).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    // A bad tenant name is reported inside the record's "invalid key" issue.
    const inner = issue?.code === "invalid_key" ? issue.issues[0]?.message : undefined;
    return { variable, problem: `${where}${inner ?? issue?.message ?? "invalid"}` };
  }
  return parsed.data as TenantAccountsConfig;
}

/** True when `r` is a problem rather than accounts. */
export function isAccountsProblem(r: TenantAccountsConfig | AccountsProblem | undefined): r is AccountsProblem {
  return r !== undefined && typeof (r as AccountsProblem).problem === "string" && typeof (r as AccountsProblem).variable === "string";
}
