/**
 * One process per embedded store. PGlite takes no lock of its own: a second gateway started on
 * the same DATA_DIR ran beside the first, and what it recorded was lost (an operations probe,
 * 2026-12-06). So the directory is held through a lock file, as PostgreSQL holds its data
 * directory through postmaster.pid:
 * - beside it, `<DATA_DIR>.lock` (an empty DATA_DIR is filled from the template before it is
 *   opened, and a second process must not fill it at the same time), except when DATA_DIR is a
 *   mount point (beside it would be outside the volume, unseen by another container on it, and
 *   perhaps not writable); and always inside it, `<DATA_DIR>/.gateway.lock`, the one every view
 *   of the folder shares (black-box probe: the same folder seen through a bind mount took only
 *   its inside lock while the first process held only the one beside, and both opened the store;
 *   what one recorded was lost). A missing DATA_DIR is created empty first, and filled in place;
 * - it names the holder (pid, host, pid namespace) and is refreshed (its mtime) every `refreshMs`;
 * - a lock is taken over when its process is gone (same host and pid namespace, pid not alive,
 *   or this very pid: a restart that got the same one), or, from anywhere else (or naming no
 *   pid), when it was not refreshed for `staleMs` (30 s); a live pid here keeps it however old;
 *   otherwise the open is refused, saying who holds it;
 * - the holder notices when its lock was taken over or deleted, or its data directory went away
 *   under it: `lost()` then says why, and the store refuses every statement instead of
 *   confirming writes that no restart would find. A read that fails otherwise (EMFILE, EIO) is
 *   tried again at the next refresh.
 * Holds within one process are counted (the early template copy and the open share one lock).
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";

/** The lock's name inside a DATA_DIR that is a mount point (the template fill leaves it alone). */
export const LOCK_INSIDE = ".gateway.lock";

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
  /** The lock files this process holds for the folder: beside it (not for a mount point) and inside it. */
  paths: string[];
  dataDir: string;
  holds: number;
  timer: NodeJS.Timeout;
  lost?: string;
  /** Whether the data directory has been seen whole (PG_VERSION), so that its absence is news. */
  seenWhole: boolean;
}

const held = new Map<string, Held>();
/** This process's pid namespace (Linux); pids of another namespace say nothing here. */
function pidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return "none";
  }
}
const ME = { pid: process.pid, host: hostname(), ns: pidNamespace() };

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** What a lock file says of its holder (as `ME` wrote it, or whatever another writer left). */
type Holder = { pid?: unknown; host?: unknown; ns?: unknown };
const readHolder = (path: string): Holder => JSON.parse(readFileSync(path, "utf8")) as Holder;

/** Who holds an existing lock, and whether it may be taken over; undefined when the file is gone. */
function staleness(path: string, staleMs: number): { holder: string; stale: boolean; ageS: number; ino: number } | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return undefined;
  let holder: Holder = {};
  try {
    holder = readHolder(path);
  } catch {
    // Unreadable (half-written by a process that died): its age decides.
  }
  const ageMs = Date.now() - st.mtimeMs;
  const pid = typeof holder.pid === "number" ? holder.pid : undefined;
  const sameSpace = holder.host === ME.host && holder.ns === ME.ns;
  const gone = sameSpace && pid !== undefined && (pid === process.pid || !isAlive(pid));
  // A live process here holds it however long since its last refresh: one stopped (SIGSTOP) or
  // hung for 30 s had its lock taken, and ran on beside the new holder, failing every request
  // (black-box probe, thirty-third session). As PostgreSQL's postmaster.pid, a pid reused by
  // another process keeps it too: the refusal says which lock file to delete.
  const alive = sameSpace && pid !== undefined && !gone;
  return {
    holder: pid === undefined ? "an unknown process" : `pid ${pid} on ${String(holder.host)}`,
    stale: gone || (!alive && ageMs > staleMs),
    ageS: Math.round(ageMs / 1000),
    ino: st.ino,
  };
}

/** Moves aside the lock judged stale, unless it was replaced meanwhile (another starter's new lock is put back). */
function removeStale(path: string, ino: number): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: try to create it again
  }
  if (statSync(aside).ino === ino) unlinkSync(aside);
  else renameSync(aside, path);
}

/** The locks of `key` (an existing folder's absolute path): beside it unless it is a mount point, and inside it. */
function lockPaths(key: string): string[] {
  const mountPoint = statSync(key).dev !== statSync(dirname(key)).dev;
  return [...(mountPoint ? [] : [`${key}.lock`]), join(key, LOCK_INSIDE)];
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
  for (const path of h.paths) {
    if (h.lost) return;
    try {
      const holder = readHolder(path);
      if (holder.pid !== ME.pid || holder.host !== ME.host) {
        h.lost = `its lock ${path} was taken over by pid ${String(holder.pid)} on ${String(holder.host)}`;
        return;
      }
      const now = new Date();
      utimesSync(path, now, now);
    } catch (err) {
      if (!existsSync(h.dataDir)) break; // the folder itself gone, its inside lock with it: said below
      if ((err as NodeJS.ErrnoException).code === "ENOENT") h.lost = `its lock ${path} is gone`;
      return; // anything else (EMFILE, EIO): tried again at the next refresh
    }
  }
  const whole = statSync(join(h.dataDir, "PG_VERSION"), { throwIfNoEntry: false }) !== undefined;
  if (h.seenWhole && !whole) h.lost = `the data directory ${h.dataDir} is gone`;
  h.seenWhole ||= whole;
}

/** Takes the lock file `path` for this process, taking over a stale one; throws DataDirInUseError when another process holds it. */
function take(path: string, key: string, staleMs: number): void {
  for (let attempt = 0; !create(path); attempt++) {
    const s = staleness(path, staleMs);
    if (s === undefined && attempt < 5) continue; // let go meanwhile: create it
    if (!s || !s.stale || attempt >= 2) {
      throw new DataDirInUseError(
        `DATA_DIR ${key} is in use by ${s?.holder ?? "another process"} (lock ${path}, refreshed ${s?.ageS ?? 0} s ago). One embedded store serves one ` +
          `process: stop the other, or run several instances on PostgreSQL (DATABASE_URL). If no gateway runs on it, delete ${path}.`,
      );
    }
    removeStale(path, s.ino);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}

/**
 * Holds `dataDir` for this process: takes its locks, or counts one more hold of the locks this
 * process has. Throws DataDirInUseError when another process holds it.
 */
export function holdDataDir(dataDir: string, opts: { refreshMs?: number; staleMs?: number } = {}): DataDirHold {
  // Created (empty) if missing, so that it has an inside lock from the start; the template fill leaves that alone.
  mkdirSync(resolve(dataDir), { recursive: true });
  // One lock for every spelling of the folder (symbolic links in its parents, or the folder given as a link to it).
  const key = realpathSync(resolve(dataDir));
  let h = held.get(key);
  if (!h) {
    const paths = lockPaths(key);
    const staleMs = opts.staleMs ?? 30_000;
    const taken: string[] = [];
    try {
      for (const path of paths) {
        take(path, key, staleMs);
        taken.push(path);
      }
    } catch (err) {
      taken.forEach(unlinkQuietly);
      throw err;
    }
    const entry: Held = { paths, dataDir: key, holds: 0, seenWhole: existsSync(join(key, "PG_VERSION")), timer: undefined as never };
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
      entry.paths.forEach(unlinkQuietly);
    },
  };
}
