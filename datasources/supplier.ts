/**
 * A supplier as one module (issue 13, part A): everything the rest of the gateway needs to
 * know of it, exported by its `datasources/<name>/descriptor.ts` and wired from one list
 * (datasources/suppliers.ts). Configuration, the gateway and the webhook
 * router loop over the list; no shared file names a supplier.
 */
import type { z } from "zod";
import type { Env, VariableSpec } from "../src/config-kit.js";
import type { SupplierName } from "../src/vocabulary/suppliers.js";
import type { SupplierHttp } from "./http.js";
import type { OddFieldSink } from "./lenient.js";
import type { SupplierAdapter } from "./ports.js";

/** What the gateway hands a supplier's factories. */
export interface SupplierContext {
  http: SupplierHttp;
  /** Where reply fields of an unexpected shape are reported, once each. */
  oddFields?: OddFieldSink;
}

/** A supplier's settings as read from the environment. */
export interface SupplierSettings<S> {
  /** The configured URL; undefined: the supplier's simulator stands in. */
  url?: string;
  settings: S;
}

/** Tenants' own accounts with this supplier (hardening issue, item 4). */
interface SupplierAccounts<S, C> {
  /** The credentials a tenant's own account carries (validated at start-up; secrets). */
  schema: z.ZodType<C>;
  /** What identifies an account at the supplier. */
  key(credentials: C): string;
  /** The key of the gateway's own account. */
  ownKey(settings: S): string;
}

export interface SupplierDescriptor<S = unknown, C = unknown> {
  readonly name: SupplierName;
  /** The `Supplier` enum value's description in the schema. */
  readonly description: string;
  /** Its configuration variables, one row each: --help, .env.example, config errors. */
  readonly variables: readonly VariableSpec[];
  /** Reads its settings (throws a ConfigError naming the variable); `timeoutMs` is SUPPLIER_TIMEOUT_MS. */
  readSettings(env: Env, shared: { timeoutMs: number }): SupplierSettings<S>;
  /** The adapter for an account: the gateway's own, or a tenant's own `credentials`. */
  createAdapter(settings: S, url: string, sandbox: boolean, ctx: SupplierContext, credentials?: C): SupplierAdapter;
  readonly accounts?: SupplierAccounts<S, C>;
  /**
   * Webhook intake: served at /webhooks/<segment>/<token>; the token is the configured one or,
   * undefined, random per start. The adapter's `webhooks` port reads the envelope and registers the URL.
   */
  readonly webhooks?: { segment: string; token(settings: S): string | undefined };
  /** Facts of its documentation, in real time. */
  readonly timing?: {
    /** How long after a stop-issuance request its outcome can be known. */
    stopOutcomeDelayMs?: number;
    /**
     * How long the supplier may take to show a void it accepted: before this has passed since a
     * submission lost its reply, "no void yet" does not prove it did not go through.
     */
    acceptanceVisibleMs?: number;
  };
}
