/**
 * Tracking's shared timings (issue 21, item 4). Each tracked kind's own schedule rows
 * (`<KIND>_POLL_*`) come with the kind, from the tracked-kinds list (src/tracking/kinds/).
 */
import { concern, positiveInt, variable } from "../config-kit.js";

export const TRACKING = concern({
  schedulerTickMs: variable({
    name: "SCHEDULER_TICK_MS",
    default: "1000",
    schema: positiveInt,
    description: "How often the pollers look for due work",
  }),
  eventCatchUpMs: variable({
    name: "EVENT_CATCHUP_MS",
    default: "1000",
    schema: positiveInt,
    description: "While anyone subscribes, each instance reads the event log at least this often (heals a lost pub/sub wake-up)",
  }),
  leaseMs: variable({
    name: "LEASE_MS",
    default: "30000",
    schema: positiveInt,
    description:
      "How long an instance holds a record it polls; a crashed instance's polls move after this (the webhooks it was confirming, after 60 s)",
  }),
  stopCheckDelayMs: variable({
    name: "STOP_CHECK_DELAY_MS",
    schema: positiveInt,
    description:
      "When a stop request is first checked, its checkAfter (unset: each supplier's documented delay, in sandbox divided by SANDBOX_TIME_SCALE); STOP_POLL_* after that. Before a real supplier's documented delay its order state does not yet tell the stop's outcome, so a shorter value applies only to a simulator; a real supplier keeps its documented delay",
  }),
});
