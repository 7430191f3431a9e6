/** Shared bench plumbing: machine facts, result tables appended to bench/RESULTS.md, processes. */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

export const RESULTS = fileURLToPath(new URL("../../bench/RESULTS.md", import.meta.url));

/**
 * The Node options `npm start` runs the gateway with (`node <options> dist/src/main.js`), so
 * benches measure what users run; BENCH_NODE_ARGS (space-separated, may be empty) replaces them
 * to measure another setting.
 */
export const START_NODE_ARGS =
  process.env.BENCH_NODE_ARGS !== undefined
    ? process.env.BENCH_NODE_ARGS.split(" ").filter(Boolean)
    : (
        JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { scripts: { start: string } }
      ).scripts.start
        .split(" ")
        .filter((a) => a.startsWith("--"));

/** VmHWM (peak RSS) and VmRSS of a process, in MB. */
export function processMemory(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peakMb: kb("VmHWM") / 1024, rssMb: kb("VmRSS") / 1024 };
}

export function machineFacts(): string {
  const cpu = cpus();
  return `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${new Date().toISOString()}`;
}

/** Prints a markdown table and appends it, with the machine facts, to bench/RESULTS.md. */
export function record(title: string, header: string[], rows: Array<Array<string | number>>, notes: string[] = []): void {
  const table = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );
  const block = [`## ${title}`, "", `_${machineFacts()}_`, "", table, "", ...notes.map((n) => `- ${n}`), ""].join("\n");
  console.log(`\n${block}`);
  if (!existsSync(RESULTS))
    writeFileSync(RESULTS, "# Benchmark results\n\nAppended by `npm run bench` and the scripts in bench/. Newest last.\n\n");
  appendFileSync(RESULTS, `${block}\n`);
}

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  non2xx: number;
}

/** One autocannon run. */
export async function load(opts: {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  const r = await autocannon({
    url: opts.url,
    method: "POST",
    body: opts.body,
    headers: { "content-type": "application/json", ...opts.headers },
    connections: opts.connections,
    duration: opts.seconds,
  });
  return {
    requestsPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r["2xx"],
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where there is no /proc. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return procCpu(readFileSync(`/proc/${pid}/stat`, "utf8")).own;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds in one /proc/<pid>/stat line: the process's own (utime + stime, fields 14-15) and
 * its waited-for children's (cutime + cstime, fields 16-17).
 */
export function procCpu(stat: string): { own: number; children: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    own: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    children: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS,
  };
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every mainstream build). */
const CLOCK_TICKS = 100;

/** A gateway's /metrics page. */
async function metricsText(graphqlUrl: string): Promise<string> {
  return (await fetch(graphqlUrl.replace("/graphql", "/metrics"))).text();
}

/** The sum of a gateway's /metrics samples whose line starts with `name`. */
export async function metric(graphqlUrl: string, name: string): Promise<number> {
  return sumOf(await metricsText(graphqlUrl), name);
}

/** The sum of the samples in a /metrics `text` whose line starts with `name`. */
function sumOf(text: string, name: string): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
}

/**
 * The gateway's event-loop delay since its previous /metrics scrape, in ms (prom-client's
 * monitor, 10 ms resolution; each scrape starts it afresh): how long work waited for the loop.
 */
export async function loopDelay(graphqlUrl: string): Promise<{ p99: number; max: number }> {
  const text = await metricsText(graphqlUrl);
  return { p99: sumOf(text, "nodejs_eventloop_lag_p99_seconds ") * 1000, max: sumOf(text, "nodejs_eventloop_lag_max_seconds ") * 1000 };
}

/** Cumulative counts of a gateway's histogram `name`, by upper bound in seconds (`+Inf` last). */
export async function histogram(graphqlUrl: string, name: string): Promise<Map<string, number>> {
  const text = await metricsText(graphqlUrl);
  const out = new Map<string, number>();
  for (const l of text.split("\n")) {
    const m = l.match(new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\S+)$`));
    if (m) out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
  }
  return out;
}

/**
 * The gateway's own view of delivery between two snapshots of `gateway_event_delivery_seconds`
 * (recorded → the subscriber's resolver ran, before the socket): the share of events within
 * each bound up to 100 ms, e.g. "≤ 5 ms 91 %, ≤ 10 ms 97 %…".
 */
export function deliveryShares(before: Map<string, number>, after: Map<string, number>): string {
  const total = (after.get("+Inf") ?? 0) - (before.get("+Inf") ?? 0);
  if (!total) return "no events observed";
  return [...after.entries()]
    .filter(([le]) => le !== "+Inf" && Number(le) <= 0.1)
    .map(([le, n]) => `≤ ${Number(le) * 1000} ms ${(((n - (before.get(le) ?? 0)) / total) * 100).toFixed(1)} %`)
    .join(", ");
}
