/**
 * One process per embedded store. PGlite takes no lock of its own: a second gateway started on
 * the same DATA_DIR ran beside the first, and what it recorded was lost (an operations probe,
 * 2026-12-06). So the directory is held through a lock file beside it, `<DATA_DIR>.lock`
 * (beside, not in it: an empty DATA_DIR is filled from the template before it is opened, and a
 * second process must not fill it at the same time), as PostgreSQL holds its data directory
 * through postmaster.pid:
 * - it names the holder (pid, host) and is refreshed (its mtime) every `refreshMs`;
 * - a lock is taken over when stale: its process is gone on this host (or is this process or its
 *   parent: a container's pid 1 after a restart), or, from any host, it was not refreshed for
 *   `staleMs`; otherwise the open is refused, saying who holds it;
 * - the holder notices when its lock was taken over, or its data directory went away under it
 *   (deleted, unmounted): `lost()` then says why, and the store refuses every statement instead
 *   of confirming writes that no restart would find.
 * Holds within one process are counted (the early template copy and the open share one lock).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface DataDirHold {
  /** Why the store may no longer be used (the lock taken over, the directory gone); undefined while held. */
  lost(): string | undefined;
  release(): void;
}

/** Refusal to open a data directory another process holds. */
export class DataDirInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataDirInUseError";
  }
}

interface Held {
  path: string;
  dataDir: string;
  holds: number;
  timer: NodeJS.Timeout;
  lost?: string;
  /** Whether the data directory has been seen whole (PG_VERSION), so that its absence is news. */
  seenWhole: boolean;
}

const held = new Map<string, Held>();
const ME = { pid: process.pid, host: hostname() };

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Why an existing lock file may be taken over, or undefined when its holder may still be running. */
function staleness(path: string, staleMs: number): { holder: string; stale: boolean; ageS: number } {
  let holder: { pid?: unknown; host?: unknown } = {};
  try {
    holder = JSON.parse(readFileSync(path, "utf8")) as typeof holder;
  } catch {
    // Unreadable (half-written by a process that died): its age decides.
  }
  const mtimeMs = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  if (mtimeMs === undefined) return { holder: "a process that just let it go", stale: true, ageS: 0 };
  const ageMs = Date.now() - mtimeMs;
  const pid = typeof holder.pid === "number" ? holder.pid : undefined;
  const here = holder.host === ME.host;
  const gone = here && pid !== undefined && (pid === process.pid || pid === process.ppid || !isAlive(pid));
  return {
    holder: pid === undefined ? "an unknown process" : `pid ${pid} on ${String(holder.host)}`,
    stale: gone || ageMs > staleMs,
    ageS: Math.round(ageMs / 1000),
  };
}

function create(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    try {
      writeSync(fd, JSON.stringify(ME));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

function refresh(h: Held): void {
  if (h.lost) return;
  try {
    const holder = JSON.parse(readFileSync(h.path, "utf8")) as { pid?: unknown; host?: unknown };
    if (holder.pid !== ME.pid || holder.host !== ME.host) {
      h.lost = `its lock ${h.path} was taken over by pid ${String(holder.pid)} on ${String(holder.host)}`;
      return;
    }
    const now = new Date();
    utimesSync(h.path, now, now);
  } catch {
    h.lost = `its lock ${h.path} is gone`;
    return;
  }
  const whole = existsSync(join(h.dataDir, "PG_VERSION"));
  if (h.seenWhole && !whole) h.lost = `the data directory ${h.dataDir} is gone`;
  h.seenWhole ||= whole;
}

/**
 * Holds `dataDir` for this process: takes `<dataDir>.lock`, or counts one more hold of the lock
 * this process has. Throws DataDirInUseError when another process holds it.
 */
export function holdDataDir(dataDir: string, opts: { refreshMs?: number; staleMs?: number } = {}): DataDirHold {
  const key = resolve(dataDir);
  let h = held.get(key);
  if (!h) {
    const path = `${key}.lock`;
    const staleMs = opts.staleMs ?? 30_000;
    mkdirSync(dirname(key), { recursive: true });
    for (let attempt = 0; !create(path); attempt++) {
      const s = staleness(path, staleMs);
      if (!s.stale || attempt >= 2) {
        throw new DataDirInUseError(
          `DATA_DIR ${key} is in use by ${s.holder} (lock ${path}, refreshed ${s.ageS} s ago). One embedded store serves one ` +
            `process: stop the other, or run several instances on PostgreSQL (DATABASE_URL). If no gateway runs on it, delete ${path}.`,
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // Gone already (its holder let go, or another starter took it over): try again.
      }
    }
    const entry: Held = { path, dataDir: key, holds: 0, seenWhole: existsSync(join(key, "PG_VERSION")), timer: undefined as never };
    entry.timer = setInterval(() => refresh(entry), opts.refreshMs ?? 5_000).unref();
    held.set(key, entry);
    h = entry;
  }
  const entry = h;
  entry.holds += 1;
  let released = false;
  return {
    lost: () => entry.lost,
    release() {
      if (released) return;
      released = true;
      entry.holds -= 1;
      if (entry.holds > 0) return;
      clearInterval(entry.timer);
      held.delete(key);
      if (entry.lost) return;
      try {
        unlinkSync(entry.path);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}
