/**
 * The container proof's scale-out check (scripts/container-proof.sh): a subscriber on gateway B
 * over the websocket, a void quoted and submitted on gateway A, the supplier's webhooks going to
 * A; B's subscriber must see every change once, the later ones found by the webhook A took.
 *
 *   A_URL=http://127.0.0.1:4001/graphql B_URL=http://127.0.0.1:4002/graphql TOKEN=<api key> node scripts/container-scale-out.mjs
 */
/* global fetch */
import console from "node:console";
import process from "node:process";
import { setTimeout } from "node:timers";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { A_URL, B_URL, TOKEN } = process.env;
const auth = { authorization: `Bearer ${TOKEN}` };
const orderNo = `ATR-VOID-DEPOSIT-proof${Date.now()}`;

async function gql(url, query, variables) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const client = createClient({ url: B_URL.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: auth, retryAttempts: 0 });
const seen = [];
const final = new Promise((resolve, reject) => {
  client.subscribe(
    { query: "subscription ($o: String) { voidStatusChanged(orderNo: $o) { id status source isFinal } }", variables: { o: orderNo } },
    {
      next: ({ data, errors }) => {
        if (errors) return reject(new Error(JSON.stringify(errors)));
        seen.push(data.voidStatusChanged);
        if (data.voidStatusChanged.isFinal) resolve();
      },
      error: reject,
      complete: () => undefined,
    },
  );
  setTimeout(() => reject(new Error(`timed out; saw ${JSON.stringify(seen)}`)), 60_000).unref();
});
client.on("connected", async () => {
  await new Promise((r) => setTimeout(r, 300));
  const q = await gql(A_URL, "mutation ($o: String!) { voidQuote(input: { supplier: ATRIP, orderNo: $o }) { voidOfferId } }", {
    o: orderNo,
  });
  await gql(
    A_URL,
    "mutation ($o: String!, $v: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $o, voidOfferId: $v }) { voidCode } }",
    {
      o: orderNo,
      v: q.voidQuote.voidOfferId,
    },
  );
});
try {
  await final;
} finally {
  await client.dispose();
}
const got = seen.map((e) => `${e.status}/${e.source}`);
console.log(`subscriber on B saw: ${got.join(", ")}`);
const expected = ["SUPPLIER_PROCESSING/SUBMIT", "AIRLINE_PROCESSING/WEBHOOK", "REFUNDED/WEBHOOK"];
if (JSON.stringify(got) !== JSON.stringify(expected) || new Set(seen.map((e) => e.id)).size !== seen.length) {
  console.error(`expected ${expected.join(", ")}, each once`);
  process.exit(1);
}
