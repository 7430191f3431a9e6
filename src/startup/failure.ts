/**
 * What a start that fails after the configuration was read prints (src/run.ts): one line saying
 * why, and the stack only for a cause that is not one of the known ones — DATA_DIR held by
 * another process, not writable or on a read-only or full disk, the port taken or not bindable,
 * a configuration found wrong only once the schema is built (a trusted document that cannot run).
 */
const KNOWN_CODES = new Set([
  "EADDRINUSE",
  "EACCES",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "ENOTDIR",
  "EEXIST",
  "EROFS",
  "EPERM",
  "ENOSPC",
  "EDQUOT",
]);

export function startFailureText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known = e?.name === "DataDirInUseError" || e?.name === "ConfigError" || KNOWN_CODES.has(e?.code ?? "");
  return `Start-up failed: ${e?.message ?? String(err)}\n${known ? "" : `${e?.stack ?? ""}\n`}`;
}
