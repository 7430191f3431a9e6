/**
 * The smallest client for a script or a mobile app: graphql-ws alone, no Apollo. Follows all
 * of the caller's voids (or one order's) and resumes after a disconnect with afterEventId.
 *
 *   GATEWAY_URL=http://localhost:4000/graphql [GATEWAY_TOKEN=…] [ORDER_NO=…] [MAX_EVENTS=3] node dist/examples/graphql-ws-minimal.js
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

let lastEventId: string | undefined; // keep it (e.g. on disk) to resume where you left off
let seen = 0;

const query = `subscription Follow($orderNo: String, $after: ID) {
  voidStatusChanged(orderNo: $orderNo, afterEventId: $after) { id voidCode status isFinal source }
}`;

const stop = client.subscribe<{ voidStatusChanged: { id: string; voidCode: string; status: string; isFinal: boolean; source: string } }>(
  { query, variables: { orderNo: process.env.ORDER_NO ?? null, after: lastEventId ?? null } },
  {
    next: ({ data, errors }) => {
      if (errors) console.error(errors);
      const e = data?.voidStatusChanged;
      if (!e) return;
      lastEventId = e.id;
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
