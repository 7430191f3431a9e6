/**
 * What a start that fails after the configuration was read prints (src/run.ts): one line saying
 * why, and the stack only for a cause that is not one of the known ones — DATA_DIR held by
 * another process, not writable or on a read-only or full disk, the port taken or not bindable,
 * a configuration found wrong only once the schema is built (a trusted document that cannot run).
 */
import { inspect } from "node:util";

const KNOWN_CODES = new Set([
  "EADDRINUSE",
  "EACCES",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "ENOTDIR",
  // A DATA_DIR under a symbolic link to nothing: its mkdir says which path (configuration probe).
  "ENOENT",
  "EEXIST",
  "EROFS",
  "EPERM",
  "ENOSPC",
  "EDQUOT",
]);

/** Failures whose message says all there is: the DATA_DIR lock, the configuration, a store that cannot be reached. */
const KNOWN_NAMES = new Set(["DataDirInUseError", "DataDirNotAStoreError", "ConfigError", "StoreUnavailableError"]);

export function startFailureText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known = KNOWN_NAMES.has(e?.name) || KNOWN_CODES.has(e?.code ?? "");
  // Not an Error (the embedded engine can throw plain objects): shown as it is, not as "[object Object]".
  let message = typeof e?.message === "string" ? e.message : inspect(err, { depth: 3, breakLength: Infinity });
  // A known failure's cause says what failed underneath (a file, an errno), when its message does not.
  const cause = known && e?.cause instanceof Error ? e.cause.message : "";
  if (cause && !message.includes(cause)) message += ` (${cause})`;
  return `Start-up failed: ${message}\n${known ? "" : `${e?.stack ?? ""}\n`}`;
}
