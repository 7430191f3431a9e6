/**
 * Configuration from environment variables (docs/architecture.md "Configuration contract").
 * Every variable is one row (src/config-kit.ts), and rows are grouped by concern, one module
 * each in this folder (issue 21, item 4): a new setting is one row in its concern, its value
 * appears under its key. Each tracked kind's schedule rows come with the kind
 * (src/tracking/kinds/), each supplier's rows with its descriptor (datasources/<name>/).
 * The rows parse (a default is written once, in its row, and parsed like a given value), print
 * in `--help`, write `.env.example`, and a test checks docs/configuration.md's table against
 * them. A bad value stops start-up with a message naming the variable.
 */
import type { SupplierDescriptor, SupplierSettings } from "../../datasources/supplier.js";
import { SUPPLIERS } from "../../datasources/suppliers.js";
import { ConfigError, isSet, read, type Concern, type Env, type Rows, type VariableSpec } from "../config-kit.js";
import { readTenantAccounts, type TenantAccountsConfig } from "../tenancy/accounts-config.js";
import { TRACKED_KINDS, type AnyKind } from "../tracking/kinds/index.js";
import { readPollPolicy, type PollPolicy } from "../tracking/schedule.js";
import { AUTH, TENANT_ACCOUNTS } from "./auth.js";
import { HTTP, LIMITS } from "./http.js";
import { RUNTIME } from "./runtime.js";
import { PUBSUB, STORE } from "./store.js";
import { SUBSCRIPTIONS } from "./subscriptions.js";
import { SUPPLIER_CALLS, tracePropagationVariable } from "./supplier-calls.js";
import { TRACKING } from "./tracking.js";
import { TRUSTED_DOCUMENTS } from "./trusted-documents.js";
import { WEBHOOKS } from "./webhooks.js";

export { ConfigError };
export type { VariableSpec };

/** The gateway's own concerns, each read into the configuration under its key. */
const CONCERNS = {
  http: HTTP,
  limits: LIMITS,
  webhooks: WEBHOOKS,
  trustedDocuments: TRUSTED_DOCUMENTS,
  store: STORE,
  pubsub: PUBSUB,
  tracking: TRACKING,
  subscriptions: SUBSCRIPTIONS,
  auth: AUTH,
  supplierCalls: SUPPLIER_CALLS,
  runtime: RUNTIME,
} as const;

type Concerns = typeof CONCERNS;
type SettingsOf<C> = C extends Concern<Rows, infer S> ? S : never;

/** The gateway's configuration: each concern's settings, each supplier's, each tracked kind's schedule. */
export type Config = { readonly [K in keyof Concerns]: SettingsOf<Concerns[K]> } & {
  /** Tenants' own supplier accounts (TENANT_SUPPLIER_ACCOUNTS[_FILE]); undefined: all share the gateway's. */
  tenantAccounts?: TenantAccountsConfig;
  /** Each supplier's settings, by name (its descriptor reads them). */
  suppliers: Record<string, SupplierSettings<unknown>>;
  /** Suppliers that must not be sent the trace context (<SUPPLIER>_TRACE_PROPAGATION=false). */
  noTracePropagation: ReadonlySet<string>;
  /** Each tracked kind's poll intervals, by kind name; in sandbox divided by the time scale unless the variable was set. */
  polls: Record<string, PollPolicy>;
  /** The variables the environment set (the rest have their defaults). */
  given: ReadonlySet<string>;
};

/** Every variable: the gateway's concerns, each tracked kind's schedule, then each supplier's (its own and its trace switch). */
function variables(suppliers: readonly SupplierDescriptor[] = SUPPLIERS, kinds: readonly AnyKind[] = TRACKED_KINDS): VariableSpec[] {
  return [
    ...Object.values(CONCERNS).flatMap((c) => Object.values(c.rows)),
    ...Object.values(TENANT_ACCOUNTS.rows),
    ...kinds.flatMap((k) => Object.values(k.poll)),
    ...suppliers.flatMap((s) => [...s.variables, tracePropagationVariable(s.name)]),
  ];
}

/** Every variable of the gateway, its tracked kinds and its suppliers (the lists'). */
export const VARIABLES: VariableSpec[] = variables();

export function loadConfig(
  env: Env = process.env,
  suppliers: readonly SupplierDescriptor[] = SUPPLIERS,
  kinds: readonly AnyKind[] = TRACKED_KINDS,
): Config {
  const concerns = Object.fromEntries(Object.entries(CONCERNS).map(([key, c]) => [key, c.read(env)])) as {
    [K in keyof Concerns]: SettingsOf<Concerns[K]>;
  };
  const accounts = TENANT_ACCOUNTS.read(env);
  return {
    ...concerns,
    tenantAccounts: readTenantAccounts(accounts.json, accounts.file, suppliers),
    suppliers: Object.fromEntries(suppliers.map((s) => [s.name, s.readSettings(env, { timeoutMs: concerns.supplierCalls.timeoutMs })])),
    noTracePropagation: new Set(suppliers.filter((s) => !read(env, tracePropagationVariable(s.name))).map((s) => s.name)),
    polls: Object.fromEntries(kinds.map((k) => [k.name, readPollPolicy(env, k.poll)])),
    given: new Set(
      variables(suppliers, kinds)
        .filter((v) => isSet(env, v))
        .map((v) => v.name),
    ),
  };
}

/** The --help text: every variable, its default and meaning. Secrets show no value. */
export function helpText(suppliers: readonly SupplierDescriptor[] = SUPPLIERS, kinds: readonly AnyKind[] = TRACKED_KINDS): string {
  const all = variables(suppliers, kinds);
  const width = Math.max(...all.map((v) => v.name.length));
  const lines = all.map((v) => `  ${v.name.padEnd(width)}  ${(v.default ?? "(unset)").padEnd(10)}  ${v.description}`);
  return ["Usage: npm start [-- --help]", "", "Configuration (environment variables):", ...lines, ""].join("\n");
}

/** True when every supplier is the embedded simulator. */
function allSandbox(c: Config): boolean {
  return Object.values(c.suppliers).every((s) => s.url === undefined);
}

/**
 * Anonymous access (tenant `demo`) only when no credentials are configured and every supplier
 * is a simulator; with a real supplier and no credentials the gateway must not start.
 */
export function allowsAnonymous(c: Config): boolean {
  const credentials = c.auth.apiKeys !== undefined || c.auth.jwt !== undefined;
  if (!credentials && !allSandbox(c)) {
    throw new ConfigError(
      "API_KEYS",
      "a real supplier is configured, so callers must authenticate: set API_KEYS or JWT_SECRET / JWT_JWKS_URL (anonymous access is only for the simulators)",
    );
  }
  return !credentials;
}
