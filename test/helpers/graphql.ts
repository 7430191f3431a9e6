/** Plain GraphQL over HTTP (fetch), for tests that do not need Apollo Client's cache. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ data?: T; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: T;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

export const QUOTE = `mutation Q($orderNo: String!) { voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) { voidOfferId } }`;
export const SUBMIT = `mutation S($orderNo: String!, $offer: String!) {
  submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) { voidCode status history { id status source } }
}`;
export const VOID_EVENTS = `subscription V($orderNo: String, $voidCode: String, $after: ID) {
  voidStatusChanged(orderNo: $orderNo, voidCode: $voidCode, afterEventId: $after) {
    id supplier voidCode orderNo status previousStatus isFinal source message occurredAt
    voidOrder { voidCode status isFinal }
  }
}`;

export interface EventOut {
  id: string;
  voidCode: string;
  orderNo: string;
  status: string;
  previousStatus: string | null;
  isFinal: boolean;
  source: string;
  voidOrder: { status: string; isFinal: boolean };
}

/** Quotes and submits a void; returns its voidCode. */
export async function quoteAndSubmit(url: string, orderNo: string, headers: Record<string, string> = {}): Promise<string> {
  const q = await gql<{ voidQuote: { voidOfferId: string } }>(url, QUOTE, { orderNo }, headers);
  if (!q.data) throw new Error(`quote failed: ${JSON.stringify(q.errors)}`);
  const s = await gql<{ submitVoid: { voidCode: string } }>(url, SUBMIT, { orderNo, offer: q.data.voidQuote.voidOfferId }, headers);
  if (!s.data) throw new Error(`submit failed: ${JSON.stringify(s.errors)}`);
  return s.data.submitVoid.voidCode;
}
