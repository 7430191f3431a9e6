/** Supplier webhooks: where suppliers are told to send them, and how much the gateway takes (issue 21, item 4). */
import { concern, httpUrl, positiveInt, variable } from "../config-kit.js";

/**
 * A base the webhook paths are appended to: no query or fragment, or the token would end up in
 * them and no webhook would arrive (configuration probe, thirty-second session).
 */
const publicBase = httpUrl.refine(
  (v) => !URL.canParse(v) || !/[?#]/.test(v),
  "must be a base URL without a query or fragment (the webhook paths are appended to it)",
);

export const WEBHOOKS = concern({
  publicUrl: variable({
    name: "WEBHOOK_PUBLIC_URL",
    schema: publicBase,
    description:
      "Public base URL of this gateway (no query, fragment or credentials); when set, each supplier's /webhooks/<supplier>/<token> is registered with it at start-up",
  }),
  rateLimit: variable({
    name: "WEBHOOK_RATE_LIMIT",
    default: "5000",
    schema: positiveInt,
    description: "Webhooks accepted per second from one address (more: 429)",
  }),
  maxBytes: variable({
    name: "WEBHOOK_MAX_BYTES",
    default: "65536",
    schema: positiveInt,
    description: "Largest webhook body accepted (larger: 413)",
  }),
  retentionHours: variable({
    name: "WEBHOOK_RETENTION_HOURS",
    default: "168",
    schema: positiveInt.max(87_600, "must be at most 87600 (10 years)"),
    description: "Hours a received webhook (its raw body, for operators) is kept in the store; older ones are deleted once processed",
  }),
});
