/** Subscriptions and their websocket: caps per connection and per tenant, keep-alive (issue 21, item 4). */
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
});
