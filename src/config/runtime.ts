/** The process itself: its log level, giving memory back when idle, and the simulators' clock when suppliers are simulated (issue 21, item 4). */
import { z } from "zod";
import { concern, TIMER_MAX_MESSAGE, TIMER_MAX_MS, variable } from "../config-kit.js";

const wholeMs = z.coerce
  .number({ message: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be 0 or more")
  .max(TIMER_MAX_MS, TIMER_MAX_MESSAGE);

export const RUNTIME = concern({
  sandboxTimeScale: variable({
    name: "SANDBOX_TIME_SCALE",
    default: "10",
    // Bounded: 1e-300 made the simulators' times invalid dates, and a huge scale their timers 1 ms
    // (configuration probe, thirty-second session).
    schema: z.coerce.number({ message: "must be a number" }).min(0.01, "must be 0.01 to 100000").max(100_000, "must be 0.01 to 100000"),
    description: "How many times faster the simulators' clock runs (0.01 to 100000)",
  }),
  idleGcMs: variable({
    name: "IDLE_GC_MS",
    default: "10000",
    schema: wholeMs,
    description:
      "How long the process must idle after a burst of work (looked at every fifth of it) before, if its heap grew, one full collection gives the garbage back (0: off; docs/memory.md)",
  }),
  heapGrowingPercent: variable({
    name: "HEAP_GROWING_PERCENT",
    default: "20",
    schema: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 to 1000")
      .max(1000, "must be 0 to 1000"),
    description:
      "How far the JS heap may grow past what the last full collection left before the next one (V8's heap-growing-percent) while that is under 128 MB; lower keeps RSS down under load. A larger live heap (thousands of subscribers) grows by V8's own step (0: V8's own always; docs/memory.md)",
  }),
  heapHeadroomMb: variable({
    name: "HEAP_HEADROOM_MB",
    default: "0",
    schema: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 to 4096")
      .max(4096, "must be 0 to 4096"),
    description:
      "The least the JS heap may grow past what the last full collection left while HEAP_GROWING_PERCENT applies, in MB, once the gateway is ready: a small heap under load is then not fully collected every few hundred ms (0: the percent alone; the container image sets 32; docs/memory.md)",
  }),
  logLevel: variable({
    name: "LOG_LEVEL",
    default: "info",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    description: "pino level: fatal, error, warn, info, debug, trace, silent",
  }),
});
