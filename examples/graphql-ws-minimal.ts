/**
 * The smallest client for a script or a mobile app: graphql-ws alone, no Apollo. Follows all
 * of the caller's voids (or one order's) and resumes after a disconnect with afterEventId.
 *
 *   GATEWAY_URL=http://localhost:4000/graphql [GATEWAY_TOKEN=…] [ORDER_NO=…] [AFTER_EVENT_ID=…] [MAX_EVENTS=3] node dist/examples/graphql-ws-minimal.js
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = (process.env.GATEWAY_URL ?? "http://localhost:4000/graphql").replace(/^http/, "ws");
const token = process.env.GATEWAY_TOKEN;
const maxEvents = Number(process.env.MAX_EVENTS ?? "3");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  retryAttempts: 5,
});

type Change = { id: string; voidCode: string; status: string; isFinal: boolean; source: string };
const query = `subscription Follow($orderNo: String, $after: ID) {
  voidStatusChanged(orderNo: $orderNo, afterEventId: $after) { id voidCode status isFinal source }
}`;
// graphql-ws sends this payload again when it reconnects: keeping the last event id in its
// variables makes that resubscription replay what was missed. Keep the id (e.g. on disk) to
// resume across runs too.
const variables: { orderNo: string | null; after: string | null } = {
  orderNo: process.env.ORDER_NO ?? null,
  after: process.env.AFTER_EVENT_ID ?? null,
};
let seen = 0;

function follow(): void {
  const stop = client.subscribe<{ voidStatusChanged: Change }>(
    { query, variables },
    {
      next: ({ data, errors }) => {
        if (errors?.some((e) => e.extensions?.field === "afterEventId")) {
          // Not an id from this gateway's log (another deployment's, a reset store): start afresh.
          variables.after = null;
          return follow();
        }
        if (errors) console.error(errors);
        const e = data?.voidStatusChanged;
        if (!e) return;
        variables.after = e.id;
        console.log(JSON.stringify(e));
        if (++seen >= maxEvents) {
          stop();
          void Promise.resolve(client.dispose()).then(() => process.exit(0));
        }
      },
      error: (err) => {
        console.error(err);
        process.exit(1);
      },
      complete: () => undefined,
    },
  );
}
follow();
