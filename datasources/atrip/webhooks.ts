/**
 * ATRIP webhooks (docs/suppliers/atrip.md "Webhooks"): envelope {cid, type, status, data}; `order.void` names
 * a void, `order.ticketed` an order. Best effort and unsigned, so the gateway treats them as
 * hints and confirms with a query before recording anything.
 */
import { describeZodError, parseJsonHint } from "../json.js";
import type { WebhookHint } from "../ports.js";
import { orderTicketedEvent, orderVoidEvent, webhookEnvelope } from "./wire.js";

/** Thrown when a body is not ATRIP's webhook envelope. */
class WebhookShapeError extends Error {}

/** Reads a webhook body (raw text). Throws WebhookShapeError when it is not the envelope or its data is off. */
export function interpretAtripWebhook(text: string): WebhookHint {
  let json: unknown;
  try {
    json = parseJsonHint(text);
  } catch {
    throw new WebhookShapeError("body is not JSON");
  }
  const env = webhookEnvelope.safeParse(json);
  if (!env.success) throw new WebhookShapeError(`not an ATRIP webhook envelope (${describeZodError(env.error)})`);
  const { type, data } = env.data;
  if (type === "order.void") {
    const d = orderVoidEvent.safeParse(data);
    if (!d.success) throw new WebhookShapeError(`order.void data: ${describeZodError(d.error)}`);
    return { type, kind: "void", voidCode: d.data.voidCode, orderNo: d.data.orderNo };
  }
  if (type === "order.ticketed") {
    const d = orderTicketedEvent.safeParse(data);
    if (!d.success) throw new WebhookShapeError(`order.ticketed data: ${describeZodError(d.error)}`);
    return { type, kind: "ticketed", orderNo: d.data.orderNo };
  }
  return { type, kind: "other" };
}
