/**
 * `npm run bench:footprint` (issue 22): what `npm start` costs on this machine, measured on the
 * gateway's own process — ready time from process start (the spawn) to "Gateway ready", peak RSS
 * (VmHWM) and RSS after 15 s idle — for a first start on an empty DATA_DIR, a restart on the same
 * DATA_DIR, and, with BENCH_DATABASE_URL or TEST_DATABASE_URL, on PostgreSQL. The floor: a bare
 * PGlite open of the same kind of data directory in its own process, in the same run.
 * BENCH_FOOTPRINT_ROUNDS (default 2) alternates the scenarios; BENCH_BASE_MAIN=<another build's
 * dist/src/main.js> measures that build too, alternating, with BENCH_BASE_NODE_ARGS (space-separated)
 * as its Node options if set. Also: the embedded gateway after 60 s of voidQuote
 * (BENCH_LOAD_SECONDS), and `npm start` end to end on the built, unchanged tree.
 * The gateway runs with the Node options `npm start` gives it (package.json's start script);
 * BENCH_NODE_DEFAULTS=1 also measures it with Node's own, alternating.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load, processMemory, record, START_NODE_ARGS } from "./lib.js";
import { passedThrough } from "./processes.js";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));
const FLOOR = fileURLToPath(new URL("./pglite-floor.js", import.meta.url));
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 15_000);
const ROUNDS = Number(process.env.BENCH_FOOTPRINT_ROUNDS ?? 2);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Sample {
  readyMs: number;
  peakMb: number;
  idleMb: number;
  /** Peak RSS right after the load, when one ran. */
  loadPeakMb?: number;
}

/**
 * Starts a process, waits for `ready` on its stdout, optionally loads it, idles, reads its memory,
 * stops it. `command` defaults to this Node; `npm` runs `npm start` as a user would.
 */
async function measure(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  opts: { command?: string; load?: (out: string) => Promise<number> } = {},
): Promise<Sample> {
  const started = performance.now();
  const child = spawn(opts.command ?? process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...passedThrough(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${out}`)), 60_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  // With npm start the gateway is npm's grandchild: its memory is read from the node process in the group.
  const pid = opts.command ? gatewayPid(child.pid as number) : (child.pid as number);
  const loadPeakMb = opts.load ? await opts.load(out).then(() => processMemory(pid).peakMb) : undefined;
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const m = processMemory(pid);
  child.removeAllListeners("exit");
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    process.kill(-(child.pid as number), "SIGTERM");
  });
  return { readyMs, peakMb: m.peakMb, idleMb: m.rssMb, loadPeakMb };
}

/** The gateway's node process under `npm start` (npm → sh → node): the process in the group running scripts/start.mjs (or main.js). */
function gatewayPid(group: number): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      // npm runs `sh -c "node scripts/start.mjs"`, which runs the gateway in its own process: the node process, not the shell.
      if (
        Number(fields[2]) === group &&
        /(^|\/)node$/.test(argv[0]) &&
        argv.some((a) => a.endsWith("dist/src/main.js") || a.endsWith("scripts/start.mjs"))
      )
        return Number(entry);
    } catch {
      // a process that ended meanwhile
    }
  }
  throw new Error("no gateway process under npm start");
}

/** 60 s of voidQuote through the gateway (8 connections), against its own simulators (BENCH_LOAD_SECONDS). */
async function quoteLoad(out: string): Promise<number> {
  const url = /Gateway ready in \d+ ms: (http:\/\/\S+\/graphql)/.exec(out)?.[1];
  if (!url) throw new Error("no gateway URL in the banner");
  const r = await load({
    url,
    body: JSON.stringify({ query: 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { voidOfferId } }' }),
    connections: 8,
    seconds: LOAD_SECONDS,
  });
  return r.ok;
}

const GATEWAY_READY = /Gateway ready in \d+ ms/;
const gatewayEnv = (extra: Record<string, string>) => ({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...extra });

async function scenarios(name: string, main: string, nodeArgs: string[]): Promise<Array<[string, Sample]>> {
  const dir = join(mkdtempSync(join(tmpdir(), "footprint-")), "data");
  const out: Array<[string, Sample]> = [];
  try {
    out.push([`${name}: first start, empty DATA_DIR`, await measure([...nodeArgs, main], gatewayEnv({ DATA_DIR: dir }), GATEWAY_READY)]);
    out.push([`${name}: restart, same DATA_DIR`, await measure([...nodeArgs, main], gatewayEnv({ DATA_DIR: dir }), GATEWAY_READY)]);
    out.push([`${name}: floor, bare PGlite open of that DATA_DIR`, await measure([FLOOR, dir], {}, /^OPEN/m)]);
    out.push([
      `${name}: ${LOAD_SECONDS} s of voidQuote (c=8), then idle`,
      await measure([...nodeArgs, main], gatewayEnv({ DATA_DIR: dir }), GATEWAY_READY, { load: quoteLoad }),
    ]);
    if (DATABASE_URL) {
      const schema = `footprint_${process.pid}`;
      out.push([
        `${name}: on PostgreSQL`,
        await measure([...nodeArgs, main], gatewayEnv({ DATABASE_URL, DATABASE_SCHEMA: schema }), GATEWAY_READY),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** `npm start` on this (already built, unchanged) tree, end to end: the build check, npm, the gateway. */
async function npmStart(): Promise<Array<[string, Sample]>> {
  const dir = join(mkdtempSync(join(tmpdir(), "footprint-")), "data");
  try {
    const sample = await measure(
      ["start", "--prefix", ROOT],
      gatewayEnv({ DATA_DIR: dir, HOME: process.env.HOME ?? "/root" }),
      GATEWAY_READY,
      {
        command: "npm",
      },
    );
    return [["npm start on the built, unchanged tree (first start)", sample]];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const builds: Array<[string, string, string[]]> = [["this build", MAIN, START_NODE_ARGS]];
const baseArgs = process.env.BENCH_BASE_NODE_ARGS?.split(" ").filter(Boolean) ?? START_NODE_ARGS;
if (process.env.BENCH_BASE_MAIN) builds.push(["base", process.env.BENCH_BASE_MAIN, baseArgs]);
if (process.env.BENCH_NODE_DEFAULTS === "1") builds.push(["this build, Node's default options", MAIN, []]);
const all = new Map<string, Sample[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, main, nodeArgs] of round % 2 ? [...builds].reverse() : builds) {
    for (const [label, sample] of await scenarios(name, main, nodeArgs)) all.set(label, [...(all.get(label) ?? []), sample]);
  }
  for (const [label, sample] of await npmStart()) all.set(label, [...(all.get(label) ?? []), sample]);
}
const range = (xs: number[], digits = 0) => {
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
};
record(
  "Footprint: ready time and memory of npm start (issue 22)",
  [
    "scenario",
    "ready (ms from spawn)",
    "peak RSS (VmHWM, MB)",
    "peak right after the load (MB)",
    `RSS after ${IDLE_MS / 1000} s idle (MB)`,
    "runs",
  ],
  [...all].map(([label, s]) => [
    label,
    range(s.map((x) => x.readyMs)),
    range(s.map((x) => x.peakMb)),
    s[0].loadPeakMb === undefined ? "—" : range(s.map((x) => x.loadPeakMb as number)),
    range(s.map((x) => x.idleMb)),
    s.length,
  ]),
  [
    "Targets: embedded, first start and restart alike: peak ≤ 300 MB, idle ≤ 250 MB, ready ≤ 1.5 s; PostgreSQL: idle ≤ 120 MB.",
    "The floor is a process that only opens PGlite on the same data directory (bench/pglite-floor.ts) and idles.",
    "Under load: the embedded gateway (its simulators in the same process, as npm start runs them) after the voidQuote load stays ≤ 350 MB and falls back within 10 % of its idle figure.",
    "npm start: from spawning npm to the banner, on a tree already built and unchanged (target ≤ 3 s); its memory is the gateway's node process.",
  ],
);
