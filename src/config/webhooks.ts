/** Supplier webhooks: where suppliers are told to send them, and how much the gateway takes (issue 21, item 4). */
import { concern, httpUrl, positiveInt, variable } from "../config-kit.js";

export const WEBHOOKS = concern({
  publicUrl: variable({
    name: "WEBHOOK_PUBLIC_URL",
    schema: httpUrl,
    description:
      "Public base URL of this gateway; when set, each supplier's /webhooks/<supplier>/<token> is registered with it at start-up",
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
