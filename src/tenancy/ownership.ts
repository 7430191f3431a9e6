/**
 * Order ownership on shared supplier accounts (hardening issue, item 4). Through an account
 * several tenants use — the gateway's own — the supplier cannot tell tenants apart, so the
 * gateway does: the first tenant to quote, void, stop or cancel an order there owns it, and
 * another tenant's operation on it is answered exactly as the supplier answers for an order it
 * does not know (the adapter's `unknownOrder`: same code, message and extensions), without
 * calling the supplier. A claim made by an operation that established nothing is given back: the
 * supplier answered ORDER_NOT_FOUND, the input check failed before anything was sent, or the
 * answer is retryable (the supplier did not take the request, or it never arrived; also what an
 * unknown order gets where a supplier documents no "no such order" answer, e.g. a stop's system
 * error), so nobody holds order numbers that do not exist. A refusal that is not retryable keeps
 * the claim: where a supplier documents no unknown-order answer, a number it refused may still
 * be held. On an account only one tenant uses, the supplier keeps its orders apart by itself and
 * nothing is claimed.
 *
 * The registry applies the check as it hands out a tenant's ports (issue 21, item 6): it calls
 * `operate` — this class is its `OrderGate` — with the account and the refusal, so nothing here
 * needs the registry, and every caller of an order operation passes it, the resolver that quotes
 * included.
 */
import { GatewayError } from "../vocabulary/errors.js";
import { type SupplierName } from "../vocabulary/suppliers.js";
import type { AccountRef, OrderAction, OrderGate } from "../../datasources/registry.js";
import type { OwnerStore } from "../store/owner-store.js";

/** Outcomes after which a fresh claim is given back: no such order, or a request that was never sent. */
const UNCLAIMED_BY: ReadonlySet<string> = new Set(["ORDER_NOT_FOUND", "BAD_USER_INPUT"]);

/** Whether an operation's failure established nothing at the supplier (see the header). */
function establishedNothing(err: unknown): boolean {
  return err instanceof GatewayError && (UNCLAIMED_BY.has(err.code) || err.extensions().retryable === true);
}

/**
 * Established holdings are remembered this long, so an order's every quote does not cost a
 * store write (issue 14: a claim is a write, ~0.5 ms of the embedded store's one connection).
 * A holding only ends when its own claimer's operation finds no such order; another instance
 * may learn that up to this late, and meanwhile answers the order as unknown, which it was.
 * @default 60 s
 */
const REMEMBER_MS = 60_000;
/** Most holdings remembered at once; beyond, the oldest are forgotten first. */
const REMEMBER_MAX = 50_000;

/** Which tenant owns an order on a shared supplier account: the registry's order gate, and refresh's adoption check. */
export class OrderOwnership implements OrderGate {
  private readonly known = new Map<string, { tenant: string; at: number }>();

  constructor(private readonly owners: OwnerStore) {}

  /**
   * Kept in the order remembered (deleted before set), so the oldest come first: those past
   * REMEMBER_MS are never read again and go as soon as another is remembered (soak probe: an
   * idle gateway held ~6,500 stale holdings, ~235 B each, until the cap cleared them all).
   */
  private remember(key: string, tenant: string): void {
    const now = Date.now();
    this.known.delete(key);
    this.known.set(key, { tenant, at: now });
    for (const [oldest, held] of this.known) {
      if (now - held.at < REMEMBER_MS && this.known.size <= REMEMBER_MAX) break;
      this.known.delete(oldest);
    }
  }

  /** How many holdings are remembered (tests). */
  get remembered(): number {
    return this.known.size;
  }

  /**
   * Runs a tenant's operation on an order, if the order is not another tenant's: then it
   * throws the supplier's unknown-order error (`action.unknownOrder()`) and `call` is never made.
   */
  async operate<R>(action: OrderAction, call: () => Promise<R>): Promise<R> {
    const { tenant, supplier, account, orderNo } = action;
    if (account.exclusive) return call();
    const key = `${supplier}\u0000${account.id}\u0000${orderNo}`;
    const known = this.known.get(key);
    if (known && Date.now() - known.at < REMEMBER_MS) {
      if (known.tenant !== tenant) throw action.unknownOrder();
      return call();
    }
    const claim = await this.owners.claim(supplier, account.id, orderNo, tenant);
    if (claim.tenant !== tenant) {
      this.remember(key, claim.tenant);
      throw action.unknownOrder();
    }
    try {
      const result = await call();
      this.remember(key, tenant);
      return result;
    } catch (err) {
      if (claim.fresh && establishedNothing(err)) {
        this.known.delete(key);
        await this.owners.release(supplier, account.id, orderNo, tenant);
      } else this.remember(key, tenant);
      throw err;
    }
  }

  /**
   * True when a record on this order may become the tenant's (a `refresh` adopting a void the
   * gateway does not hold): the tenant operated on the order, or the account (the one the
   * tenant's calls to the supplier go to) is its alone. Looks the order up even without one
   * (`null`: the supplier did not know the record), so both answers cost the same.
   */
  async mayAdopt(tenant: string, supplier: SupplierName, account: AccountRef, orderNo: string | null): Promise<boolean> {
    if (account.exclusive) return orderNo !== null;
    const holder = await this.owners.holder(supplier, account.id, orderNo ?? "");
    return orderNo !== null && holder === tenant;
  }
}
