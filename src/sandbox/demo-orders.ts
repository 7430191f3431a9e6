/**
 * Demo order lookup shared by the simulators: an order number is its template's, or the
 * template's followed by "-anything" (a fresh copy with its own state).
 */
export interface DemoTemplate {
  orderNo: string;
  shows: string;
}

export function findTemplate<T extends DemoTemplate>(list: readonly T[], orderNo: string): T | undefined {
  let best: T | undefined;
  for (const o of list) {
    if (orderNo === o.orderNo) return o;
    if (orderNo.startsWith(`${o.orderNo}-`) && (!best || o.orderNo.length > best.orderNo.length)) best = o;
  }
  return best;
}

/** The start-up banner's lines for one simulator: where it listens and its demo orders. */
export function describeDemoOrders(title: string, orders: readonly DemoTemplate[]): string[] {
  return [`${title}; demo orders (add "-anything" for a fresh copy):`, ...orders.map((o) => `  ${o.orderNo.padEnd(18)} ${o.shows}`)];
}
