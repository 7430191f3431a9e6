/**
 * Load from wrk (a C load generator), beside autocannon's. On this 2-core machine the load
 * generator shares the cores with the servers it measures: going direct, the stand-in is the
 * bottleneck; through the gateway, three processes share two cores, so whatever the generator
 * spends is taken from the gateway. Measured in one bench:overhead run (2026-12-06): autocannon
 * (in the bench process) 47 µs of CPU per request, wrk 27 µs; the bare hop reached 0.63× direct
 * under autocannon and 0.65–0.83× under wrk (the issue's own run: 0.87×). `wrkLoad` returns
 * undefined when wrk is not installed (`apt-get install wrk`).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { procCpu } from "./lib.js";

export interface WrkResult {
  /** Answers with a 2xx status per second. */
  okPerSec: number;
  non2xx: number;
  socketErrors: number;
  /** wrk's own CPU (user + system) per request, µs. */
  generatorCpuUs: number;
}

let available: boolean | undefined;
/** Whether wrk is on PATH. */
export function hasWrk(): boolean {
  if (available === undefined) {
    try {
      execFileSync("wrk", ["--version"], { stdio: "ignore" });
      available = true;
    } catch (err) {
      // wrk --version prints its usage and exits 1; only a missing binary is "absent".
      available = (err as NodeJS.ErrnoException).code !== "ENOENT";
    }
  }
  return available;
}

let dir: string | undefined;
let scripts = 0;

/** A Lua script making wrk POST `body` with `headers` (in a temporary folder made on first use). */
function postScript(body: string, headers: Record<string, string>): string {
  dir ??= mkdtempSync(join(tmpdir(), "bench-wrk-"));
  const path = join(dir, `post-${scripts++}.lua`);
  const lines = [
    'wrk.method = "POST"',
    `wrk.body = ${JSON.stringify(body)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
  ];
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/**
 * `connections` connections on one wrk thread for `seconds`, POSTing `body`. Run under a shell
 * that prints its own /proc stat after wrk exits: its cutime + cstime is wrk's CPU.
 */
export async function wrkLoad(opts: {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<WrkResult | undefined> {
  if (!hasWrk()) return undefined;
  const script = postScript(opts.body, { "content-type": "application/json", ...opts.headers });
  const args = ["-c", 'wrk "$@" && cat /proc/$$/stat', "sh", "-t1", `-c${opts.connections}`, `-d${opts.seconds}s`, "-s", script, opts.url];
  const out = await new Promise<string>((resolve, reject) =>
    execFile("sh", args, { encoding: "utf8" }, (err, stdout, stderr) =>
      err ? reject(new Error(`wrk failed: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const childCpu = procCpu(out.trim().split("\n").at(-1) ?? "").children;
  return {
    okPerSec: (total - non2xx) / opts.seconds,
    non2xx,
    socketErrors,
    generatorCpuUs: (childCpu / total) * 1e6,
  };
}
