/**
 * Subscriptions and their transports: caps per connection and per tenant, the websocket's
 * keep-alive (issue 21, item 4), the HTTP streams' heartbeat and slow-reader bound (issue 23).
 */
import { concern, positiveInt, variable } from "../config-kit.js";

export const SUBSCRIPTIONS = concern({
  wsKeepAliveMs: variable({
    name: "WS_KEEPALIVE_MS",
    default: "25000",
    schema: positiveInt,
    description: "Websocket keep-alive ping interval; a connection that stops answering is closed within twice this",
  }),
  wsConnectionInitTimeoutMs: variable({
    name: "WS_CONNECTION_INIT_TIMEOUT_MS",
    default: "5000",
    schema: positiveInt,
    description: "How long a websocket may take to send connection_init before it is closed (4408)",
  }),
  maxPerConnection: variable({
    name: "MAX_SUBSCRIPTIONS_PER_CONNECTION",
    default: "100",
    schema: positiveInt,
    description: "Subscriptions one websocket may have open (more: TOO_MANY_SUBSCRIPTIONS)",
  }),
  maxPerTenant: variable({
    name: "MAX_SUBSCRIPTIONS_PER_TENANT",
    default: "20000",
    schema: positiveInt,
    description: "Subscriptions one tenant may have open on one instance (more: TOO_MANY_SUBSCRIPTIONS)",
  }),
  httpHeartbeatMs: variable({
    name: "HTTP_SUBSCRIPTION_HEARTBEAT_MS",
    // 4.5 s: a heartbeat can come up to a tick (~100 ms, src/server/staggered.ts) late, and still within 5 s.
    default: "4500",
    schema: positiveInt.max(5000, "must be at most 5000 (Apollo's multipart protocol wants a heartbeat at least every 5 s)"),
    description:
      "Heartbeat interval of subscriptions over HTTP: an empty part ({}) in multipart streams, so that one comes at least every 5 s even a tick late; SSE streams get graphql-sse's own comment every 12 s",
  }),
  httpMaxBufferedBytes: variable({
    name: "HTTP_SUBSCRIPTION_MAX_BUFFERED_BYTES",
    default: "1048576",
    schema: positiveInt,
    description:
      "A subscription over HTTP whose client stops reading is cut once this many bytes wait unsent (never buffered without limit)",
  }),
});
