/**
 * Which simulated supplier account booked which order. A supplier shows an account only the
 * orders it booked; the simulators have no booking call, so the first account to use an order
 * number books it, and to every other account that order is unknown (hardening issue, item 4:
 * tests show a tenant with its own account cannot reach another account's order). With one
 * account, every order is its own. Nothing here knows a supplier.
 */
export class Bookings {
  private readonly bookedBy = new Map<string, string>();

  /** True when the order is this account's: booked by it now, or before. */
  book(account: string, orderNo: string): boolean {
    const holder = this.bookedBy.get(orderNo);
    if (holder === undefined) this.bookedBy.set(orderNo, account);
    return holder === undefined || holder === account;
  }
}
