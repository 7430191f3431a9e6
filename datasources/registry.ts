/**
 * Which supplier offers which operation, and routing to it. A call for an operation the
 * supplier lacks fails with UNSUPPORTED_OPERATION before any network call (docs/api.md).
 *
 * Routing is per tenant (hardening issue, item 4): a tenant with its own account at a supplier
 * has every call for it — requests and background tracking alike — made with that account's
 * credentials, so the supplier itself keeps its orders apart; other tenants share the
 * gateway's account. Every account of a supplier shares one set of resilience policies, and
 * each call waits in its tenant's queue (item 7).
 *
 * Ownership of orders on a shared account is applied here too, where a tenant's ports are handed
 * out (issue 21, item 6): the operations a client starts on an order pass the order gate
 * before the resilience guard, so a caller holding a port cannot skip it. The gate itself lives
 * above this layer (src/tenancy/ownership.ts); the registry knows only its shape, `OrderGate`.
 */
import { GatewayError, type SupplierError } from "../src/vocabulary/errors.js";
import { type SupplierName } from "../src/vocabulary/suppliers.js";
import type { SupplierOperationName } from "./model.js";
import type { CancelPort, OrderOperation, StopIssuancePort, SupplierAdapter, VoidPort } from "./ports.js";
import { DEFAULT_RESILIENCE, supplierGuard, type ResilienceSettings, type SupplierGuard } from "./resilience/index.js";

/** One row of the `suppliers` query. */
export interface SupplierInfoData {
  supplier: SupplierName;
  operations: SupplierOperationName[];
  sandbox: boolean;
  available: boolean;
}

/** The supplier account a tenant's calls go to. */
export interface AccountRef {
  /** `shared` for the gateway's own account; otherwise the id of a tenant's own one. */
  id: string;
  /** True when no other tenant uses the account: the supplier alone keeps its orders apart. */
  exclusive: boolean;
}

/** The gateway's own account, shared by every tenant without one of its own. */
const SHARED_ACCOUNT: AccountRef = { id: "shared", exclusive: false };

/** A tenant's own account with one supplier: the adapter built for its credentials. */
export interface TenantAccount {
  account: AccountRef;
  adapter: SupplierAdapter;
}

/** One operation a client started on an order, as the registry hands it to the order gate. */
export interface OrderAction {
  tenant: string;
  supplier: SupplierName;
  /** The account the call goes to: orders are owned per account. */
  account: AccountRef;
  orderNo: string;
  operation: OrderOperation;
  /** What the supplier answers for an order it does not know, for this operation: the refusal. */
  unknownOrder: () => SupplierError;
}

/**
 * Decides whether a tenant's operation on an order may reach the supplier (hardening issue,
 * item 4). Implemented by src/tenancy/ownership.ts, which keeps who holds which order; the
 * registry only calls it, for shared accounts only.
 */
export interface OrderGate {
  /** Runs `call` if the order is not another tenant's; otherwise throws `action.unknownOrder()` and `call` is never made. */
  operate<R>(action: OrderAction, call: () => Promise<R>): Promise<R>;
}

export interface RegistryOptions {
  resilience?: ResilienceSettings;
  /** Tenants' own accounts, by tenant and supplier. */
  tenantAccounts?: ReadonlyMap<string, ReadonlyMap<SupplierName, TenantAccount>>;
  /** Who may operate on an order of a shared account (issue 21, item 6: applied as ports are handed out). */
  ownership: OrderGate;
}

const PORT_OF: Record<SupplierOperationName, "voids" | "stopIssuance" | "cancels"> = {
  STOP_TICKET_ISSUANCE: "stopIssuance",
  VOID: "voids",
  CANCEL_ORDER: "cancels",
};

const OPERATIONS = Object.keys(PORT_OF) as SupplierOperationName[];
/** Guarded adapters kept per tenant; beyond this many the cache starts again. */
const BOUND_CACHE = 10_000;

/**
 * The adapter with the operations a client starts on an order — quote, submit, the check of a
 * lost submission (as part of the submission), stop, cancel — passed through the order gate.
 * Background reads (a void by its code, a stop's outcome) are not: a poll must not cost a claim.
 */
function gateOrders(
  adapter: SupplierAdapter,
  through: <R>(orderNo: string, operation: OrderOperation, call: () => Promise<R>) => Promise<R>,
): SupplierAdapter {
  const { voids, stopIssuance, cancels } = adapter;
  const findSubmitted = voids?.findSubmitted?.bind(voids);
  return {
    ...adapter,
    voids: voids && {
      quote: (orderNo, scope) => through(orderNo, "VOID_QUOTE", () => voids.quote(orderNo, scope)),
      submit: (orderNo, voidOfferId, scope) => through(orderNo, "VOID_SUBMIT", () => voids.submit(orderNo, voidOfferId, scope)),
      query: (voidCode, scope) => voids.query(voidCode, scope),
      findSubmitted: findSubmitted && ((orderNo, scope) => through(orderNo, "VOID_SUBMIT", () => findSubmitted(orderNo, scope))),
    },
    stopIssuance: stopIssuance && {
      stop: (orderNo, scope) => through(orderNo, "STOP_TICKET_ISSUANCE", () => stopIssuance.stop(orderNo, scope)),
      outcome: (orderNo, scope) => stopIssuance.outcome(orderNo, scope),
    },
    cancels: cancels && {
      check: cancels.check?.bind(cancels),
      cancel: (request, scope) => through(request.orderNo, "CANCEL_ORDER", () => cancels.cancel(request, scope)),
    },
  };
}

export class SupplierRegistry {
  private readonly adapters = new Map<SupplierName, SupplierAdapter>();
  private readonly guards = new Map<SupplierName, SupplierGuard>();
  private readonly tenantAccounts: ReadonlyMap<string, ReadonlyMap<SupplierName, TenantAccount>>;
  private readonly bound = new Map<string, SupplierAdapter>();
  private readonly ownership: OrderGate;

  /** `adapters`: one per supplier, on the gateway's own account, unguarded. */
  constructor(adapters: SupplierAdapter[], opts: RegistryOptions) {
    for (const a of adapters) {
      this.adapters.set(a.name, a);
      this.guards.set(a.name, supplierGuard(opts.resilience ?? DEFAULT_RESILIENCE));
    }
    this.tenantAccounts = opts.tenantAccounts ?? new Map();
    this.ownership = opts.ownership;
  }

  /** Every configured supplier with its operations, in a stable order. */
  list(): SupplierInfoData[] {
    return [...this.adapters.values()].map((a) => ({
      supplier: a.name,
      operations: OPERATIONS.filter((op) => a[PORT_OF[op]] !== undefined),
      sandbox: a.sandbox,
      available: (this.guards.get(a.name) as SupplierGuard).available() && a.available(),
    }));
  }

  /** The suppliers that offer an operation. */
  offering(operation: SupplierOperationName): SupplierName[] {
    return [...this.adapters.values()].filter((a) => a[PORT_OF[operation]] !== undefined).map((a) => a.name);
  }

  /** The adapter of a supplier on the gateway's account, if configured (webhook intake). */
  get(supplier: SupplierName): SupplierAdapter | undefined {
    return this.adapters.get(supplier);
  }

  /** Every account's adapter of a supplier, the gateway's first (webhook registration). */
  accounts(supplier: SupplierName): SupplierAdapter[] {
    const shared = this.adapters.get(supplier);
    if (!shared) return [];
    const own = new Map<string, SupplierAdapter>();
    for (const byTenant of this.tenantAccounts.values()) {
      const a = byTenant.get(supplier);
      if (a && a.account.id !== SHARED_ACCOUNT.id) own.set(a.account.id, a.adapter);
    }
    return [shared, ...own.values()];
  }

  /** The account a tenant's calls to a supplier go to. */
  account(supplier: SupplierName, tenant: string): AccountRef {
    return this.tenantAccounts.get(tenant)?.get(supplier)?.account ?? SHARED_ACCOUNT;
  }

  /** What the supplier answers for an order it does not know (the same for every account). */
  private unknownOrder(supplier: SupplierName, operation: OrderOperation): SupplierError {
    return (this.adapters.get(supplier) as SupplierAdapter).unknownOrder(operation);
  }

  voids(supplier: SupplierName, tenant: string): VoidPort {
    return this.require(supplier, "VOID", tenant).voids as VoidPort;
  }

  stopIssuance(supplier: SupplierName, tenant: string): StopIssuancePort {
    return this.require(supplier, "STOP_TICKET_ISSUANCE", tenant).stopIssuance as StopIssuancePort;
  }

  cancels(supplier: SupplierName, tenant: string): CancelPort {
    return this.require(supplier, "CANCEL_ORDER", tenant).cancels as CancelPort;
  }

  private require(supplier: SupplierName, operation: SupplierOperationName, tenant: string): SupplierAdapter {
    const adapter = this.adapters.get(supplier);
    if (adapter && adapter[PORT_OF[operation]] !== undefined) return this.forTenant(supplier, tenant);
    const offeredBy = this.offering(operation);
    const alternatives = offeredBy.length ? `; use ${offeredBy.join(" or ")}` : "";
    throw new GatewayError("UNSUPPORTED_OPERATION", `${supplier} does not offer ${operation}${alternatives}`, {
      supplier,
      operation,
      supportedBy: offeredBy,
      retryable: false,
    });
  }

  /**
   * The tenant's account's adapter, guarded, its calls in the tenant's queue; on a shared
   * account, its order operations first pass the order gate (issue 21, item 6). On an account
   * only this tenant uses, the supplier keeps its orders apart and nothing is gated.
   */
  private forTenant(supplier: SupplierName, tenant: string): SupplierAdapter {
    const key = `${supplier}\u0000${tenant}`;
    let a = this.bound.get(key);
    if (!a) {
      const raw = this.tenantAccounts.get(tenant)?.get(supplier)?.adapter ?? (this.adapters.get(supplier) as SupplierAdapter);
      const guarded = (this.guards.get(supplier) as SupplierGuard).wrap(raw, tenant);
      const account = this.account(supplier, tenant);
      a = account.exclusive
        ? guarded
        : gateOrders(guarded, (orderNo, operation, call) =>
            this.ownership.operate(
              { tenant, supplier, account, orderNo, operation, unknownOrder: () => this.unknownOrder(supplier, operation) },
              call,
            ),
          );
      if (this.bound.size >= BOUND_CACHE) this.bound.clear();
      this.bound.set(key, a);
    }
    return a;
  }
}
