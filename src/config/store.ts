/** The store (embedded PGlite or PostgreSQL) and the pub/sub between instances (issue 21, item 4). */
import { z } from "zod";
import { bool, concern, text, variable } from "../config-kit.js";

export const STORE = concern({
  databaseUrl: variable({
    name: "DATABASE_URL",
    schema: z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// URL" }),
    secret: true,
    description: "postgres://… (unset: embedded PGlite in DATA_DIR)",
  }),
  databaseSchema: variable({
    name: "DATABASE_SCHEMA",
    default: "public",
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier")
      .refine((v) => !v.startsWith("pg_"), "must not start with pg_ (PostgreSQL keeps those names for itself)"),
    description: "PostgreSQL schema the gateway uses (not one starting with pg_)",
  }),
  databaseNamedStatements: variable({
    name: "DATABASE_NAMED_STATEMENTS",
    default: "true",
    schema: bool,
    description:
      "PostgreSQL: each connection prepares the gateway's statements once (named statements). false behind a pooler that cannot keep them: PgBouncer before 1.21, or later without max_prepared_statements, in transaction mode",
  }),
  dataDir: variable({
    name: "DATA_DIR",
    default: "./data",
    schema: text,
    description:
      "Embedded store location, for one process at a time: held through <DATA_DIR>/.gateway.lock inside it and <DATA_DIR>.lock beside it (not when it is a mount point), and a second gateway on it is refused at start-up. An empty folder (e.g. a volume's mount point) is filled in place; one holding other files is refused",
  }),
  pgliteSharedBuffers: variable({
    name: "PGLITE_SHARED_BUFFERS",
    default: "16MB",
    // PostgreSQL's least (16 buffers of 8 kB) to what the embedded engine's memory takes: 2GB,
    // 0MB or 1kB failed inside PGlite with a stack trace (configuration probe, thirty-second session).
    schema: z
      .string()
      .regex(/^\d+(kB|MB|GB)$/, "must be a size such as 16MB")
      .refine((v) => {
        const kB = Number.parseInt(v, 10) * ({ kB: 1, MB: 1024, GB: 1024 * 1024 } as Record<string, number>)[v.replace(/^\d+/, "")];
        return kB >= 128 && kB <= 512 * 1024;
      }, "must be 128kB to 512MB"),
    description:
      "The embedded store's buffer cache (PostgreSQL shared_buffers, 128kB to 512MB): more trades memory for fewer reads (docs/memory.md)",
  }),
});

export const PUBSUB = concern({
  redisUrl: variable({
    name: "REDIS_URL",
    schema: z.url({ protocol: /^rediss?$/, message: "must be a redis:// URL" }),
    secret: true,
    description: "redis://… for pub/sub between instances (unset: in-process)",
  }),
  redisPrefix: variable({
    name: "REDIS_PREFIX",
    default: "gateway:",
    schema: text,
    description: "Prefix of the gateway's Redis channels",
  }),
});
