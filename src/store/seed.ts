/**
 * Seeding an empty DATA_DIR from the data directory prepared at build time (issue 22: a first
 * start copies it instead of running initdb). Apart from ./pglite.ts, which opens the store, so
 * that `npm start` can begin the copy before the gateway's modules load (src/main.ts): the copy
 * runs in libuv's thread pool while the main thread loads them, and the store's open waits for
 * that same copy.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { holdDataDir, LOCK_INSIDE } from "./data-dir-lock.js";

/** The data directory `npm run build` prepares (initdb and migrations done), beside the built code. */
export const BUILT_TEMPLATE = fileURLToPath(new URL("../../pglite-template", import.meta.url));

/** Files copied at once: the copies run in libuv's thread pool and overlap. */
const COPIES_AT_ONCE = 16;

/**
 * Copies a directory tree, folders with their modes first, then the files (copyFile keeps each
 * file's mode) many at a time: the template's ~1,000 files took 76–107 ms this way against
 * 128–190 ms with one `cpSync` (and 425 ms cold), in alternating runs (issue 22, ready time).
 */
async function copyTree(from: string, to: string): Promise<void> {
  const files: string[] = [];
  const walk = (rel: string) => {
    const dir = join(to, rel);
    // The top folder may exist already (filled in place), and be a mount point we may not chmod.
    if (rel !== "" || !existsSync(dir)) mkdirSync(dir);
    try {
      chmodSync(dir, statSync(join(from, rel)).mode);
    } catch (err) {
      if (rel !== "" || (err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
    for (const entry of readdirSync(join(from, rel), { withFileTypes: true })) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
      else throw new Error(`the store template holds ${path}, which is neither a file nor a folder`);
    }
  };
  walk("");
  let next = 0;
  const copier = async () => {
    while (next < files.length) {
      const path = files[next++];
      await copyFile(join(from, path), join(to, path));
    }
  };
  await Promise.all(Array.from({ length: COPIES_AT_ONCE }, copier));
}

async function seed(dataDir: string, templateDir: string): Promise<void> {
  // Held while it is filled, so that two processes never fill it at once (./data-dir-lock.ts).
  const hold = holdDataDir(dataDir);
  try {
    await fill(dataDir, templateDir);
  } finally {
    hold.release();
  }
}

/** In a data directory filled in place, until its last file is copied. */
const FILLING = ".seeding";

/** What a fresh volume or the lock puts in a folder that is still empty for the store's purpose. */
const NOT_CONTENT: ReadonlySet<string> = new Set([LOCK_INSIDE, "lost+found"]);

/**
 * DATA_DIR holds files that are not a store: PGlite would write a whole PostgreSQL cluster in
 * among them (configuration probe, thirty-second session). Its message names the folder and a few
 * of the files.
 */
export class DataDirNotAStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataDirNotAStoreError";
  }
}

async function fill(dataDir: string, templateDir: string): Promise<void> {
  const present = existsSync(dataDir);
  const entries = present ? readdirSync(dataDir).filter((e) => !NOT_CONTENT.has(e)) : [];
  // Anything else in it, and it is not ours to fill; a fill in place that did not finish is done again.
  if (entries.length > 0 && !entries.includes(FILLING)) {
    if (entries.includes("PG_VERSION")) return;
    const some = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
    throw new DataDirNotAStoreError(
      `DATA_DIR ${dataDir} holds files that are not the gateway's store (${some}): give it an empty or missing folder, or a store's`,
    );
  }
  if (!existsSync(join(templateDir, "PG_VERSION"))) return;
  if (present) {
    // An empty folder that exists may be a mount point (a volume mounted at DATA_DIR), which can
    // be neither removed nor replaced by a rename: filled in place, marked until it is whole.
    for (const e of entries) if (e !== FILLING) rmSync(join(dataDir, e), { recursive: true, force: true });
    writeFileSync(join(dataDir, FILLING), "");
    await copyTree(templateDir, dataDir);
    rmSync(join(dataDir, FILLING));
    return;
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  const staging = `${dataDir}.seeding-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await copyTree(templateDir, staging);
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(staging, dataDir);
}

/** Copies under way, by data directory: a second caller waits for the first copy instead of starting its own. */
const seeding = new Map<string, Promise<void>>();

/**
 * Fills an empty or missing `dataDir` from the prepared template: a missing one is copied beside
 * it, then renamed into place, so a crash half-way never leaves a half-made data directory; an
 * empty one (perhaps a mount point) is filled in place under a mark, and filled again if a crash
 * left the mark. A directory that
 * holds anything is left alone; without a template (a build without it, or the sources run
 * directly) nothing is copied and PGlite runs initdb.
 */
export function seedDataDir(dataDir: string, templateDir: string = BUILT_TEMPLATE): Promise<void> {
  const key = resolve(dataDir);
  let copy = seeding.get(key);
  if (!copy) {
    copy = seed(dataDir, templateDir);
    seeding.set(key, copy);
    const done = () => void seeding.delete(key);
    copy.then(done, done);
  }
  return copy;
}
