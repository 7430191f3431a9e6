/**
 * Order ownership on shared supplier accounts (hardening issue, item 4). Through an account
 * several tenants use — the gateway's own — the supplier cannot tell tenants apart, so the
 * gateway does: the first tenant to quote, void, stop or cancel an order there owns it, and
 * another tenant's operation on it is answered exactly as the supplier answers for an order it
 * does not know (ORDER_NOT_FOUND, same message and extensions), without calling the supplier.
 * A claim made by an operation the supplier answers ORDER_NOT_FOUND (or that fails its input
 * check before anything is sent) is given back, so nobody holds order numbers that do not exist. On an account only one tenant uses, the supplier
 * keeps its orders apart by itself and nothing is claimed.
 */
import { GatewayError, type SupplierName } from "../../datasources/errors.js";
import type { OrderOperation } from "../../datasources/ports.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { OwnerStore } from "../store/owner-store.js";

/** Outcomes after which a fresh claim is given back: no such order, or a request that was never sent. */
const UNCLAIMED_BY: ReadonlySet<string> = new Set(["ORDER_NOT_FOUND", "BAD_USER_INPUT"]);

export class OrderOwnership {
  constructor(
    private readonly owners: OwnerStore,
    private readonly registry: SupplierRegistry,
  ) {}

  /**
   * Runs a tenant's operation on an order, if the order is not another tenant's: then it
   * throws the supplier's unknown-order error and `call` is never made.
   */
  async operate<R>(tenant: string, supplier: SupplierName, orderNo: string, operation: OrderOperation, call: () => Promise<R>): Promise<R> {
    const account = this.registry.account(supplier, tenant);
    if (account.exclusive) return call();
    const claim = await this.owners.claim(supplier, account.id, orderNo, tenant);
    if (claim.tenant !== tenant) throw this.registry.unknownOrder(supplier, operation);
    try {
      return await call();
    } catch (err) {
      if (claim.fresh && err instanceof GatewayError && UNCLAIMED_BY.has(err.code)) await this.owners.release(supplier, account.id, orderNo, tenant);
      throw err;
    }
  }

  /**
   * True when a record on this order may become the tenant's (a `refresh` adopting a void the
   * gateway does not hold): the tenant operated on the order, or the account is its alone.
   * Looks the order up even without one (`null`: the supplier did not know the record), so
   * both answers cost the same.
   */
  async mayAdopt(tenant: string, supplier: SupplierName, orderNo: string | null): Promise<boolean> {
    const account = this.registry.account(supplier, tenant);
    if (account.exclusive) return orderNo !== null;
    const holder = await this.owners.holder(supplier, account.id, orderNo ?? "");
    return orderNo !== null && holder === tenant;
  }
}
