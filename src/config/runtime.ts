/** The process itself: its log level, and the simulators' clock when suppliers are simulated (issue 21, item 4). */
import { z } from "zod";
import { concern, variable } from "../config-kit.js";

export const RUNTIME = concern({
  sandboxTimeScale: variable({
    name: "SANDBOX_TIME_SCALE",
    default: "10",
    schema: z.coerce.number({ message: "must be a number" }).positive("must be positive"),
    description: "How many times faster the simulators' clock runs",
  }),
  logLevel: variable({
    name: "LOG_LEVEL",
    default: "info",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    description: "pino level: fatal, error, warn, info, debug, trace, silent",
  }),
});
