/**
 * The page: quotes a void, submits it, and lists each status as the gateway reports it.
 * Settings come from the page's query string, so one build talks to any gateway:
 *   ?gateway=https://gateway.example.com/graphql&token=<api key or JWT>&order=ATR-VOID-DEPOSIT-7
 * and `&subscriptions=http` to follow the void over HTTP (multipart) instead of a websocket.
 * The operation manifest is served beside the page (persisted-query-manifest.json).
 */
import { createGatewayClient } from "./client.js";
import { FOLLOW, QUOTE, SUBMIT, SUPPLIERS, type Quote, type StatusEvent, type Submitted, type Suppliers } from "./operations.js";

const params = new URLSearchParams(location.search);
const url = params.get("gateway") ?? "http://localhost:4000/graphql";
const token = params.get("token") ?? undefined;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const orderInput = $<HTMLInputElement>("order");
orderInput.value = params.get("order") ?? `ATR-VOID-DEPOSIT-${Date.now()}`;

const subscriptions = params.get("subscriptions") === "http" ? "http" : "websocket";
let connected: () => void = () => undefined;
// Over HTTP there is no connection to wait for: the subscription is a request of its own.
const wsReady = subscriptions === "http" ? Promise.resolve() : new Promise<void>((resolve) => (connected = resolve));
const { apollo } = createGatewayClient({
  url,
  token,
  loadManifest: () => fetch(new URL("persisted-query-manifest.json", location.href)).then((r) => r.json()),
  onConnected: () => connected(),
  subscriptions,
});

/** Shows an error: the GraphQL code when there is one, else what the browser said. */
function showError(err: unknown): void {
  const e = err as { errors?: Array<{ message: string; extensions?: { code?: string } }>; message?: string };
  const first = e.errors?.[0];
  $("error").textContent = first ? `${first.extensions?.code ?? "ERROR"}: ${first.message}` : `network error: ${e.message ?? String(err)}`;
}

function addStatus(status: string, source: string, isFinal: boolean): void {
  const li = document.createElement("li");
  li.textContent = `${status} (${source})`;
  li.dataset.status = status;
  if (isFinal) li.className = "final";
  $("statuses").append(li);
  $("final").textContent = isFinal ? status : `${status}…`;
}

let offer: string | null = null;

apollo
  .query<Suppliers>({ query: SUPPLIERS })
  .then(
    ({ data }) =>
      ($("suppliers").textContent = (data?.suppliers ?? []).map((s) => `${s.supplier}${s.available ? "" : " (unavailable)"}`).join(", ")),
    showError,
  );

$("quote").addEventListener("click", async () => {
  $("error").textContent = "";
  try {
    const { data } = await apollo.mutate<Quote>({ mutation: QUOTE, variables: { orderNo: orderInput.value } });
    const q = data!.voidQuote;
    offer = q.voidOfferId;
    $("quoted").textContent = q.isVoidable && q.fare ? `Refund ${q.fare.estimatedRefund} ${q.fare.currency}` : "Not voidable";
    $<HTMLButtonElement>("void").disabled = !q.isVoidable;
  } catch (err) {
    showError(err);
  }
});

$("void").addEventListener("click", async () => {
  $("error").textContent = "";
  $<HTMLButtonElement>("void").disabled = true;
  const orderNo = orderInput.value;
  // Subscribe first, so no change is missed.
  const sub = apollo.subscribe<StatusEvent>({ query: FOLLOW, variables: { orderNo } }).subscribe({
    next: ({ data, error }) => {
      if (error) return showError(error);
      const e = data?.voidStatusChanged;
      if (!e) return;
      addStatus(e.status, e.source, e.isFinal);
      if (e.isFinal) sub.unsubscribe();
    },
    error: showError,
  });
  try {
    await wsReady;
    const { data } = await apollo.mutate<Submitted>({ mutation: SUBMIT, variables: { orderNo, offer, key: `void-${orderNo}` } });
    $("voidCode").textContent = data!.submitVoid.voidCode;
  } catch (err) {
    showError(err);
  }
});
