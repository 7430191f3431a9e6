/** Child processes for benches: the simulator and the built gateway, each on its own core's worth of scheduling. */
import { spawn, type ChildProcess } from "node:child_process";
import { START_NODE_ARGS } from "./lib.js";
import { fileURLToPath } from "node:url";

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code}:\n${out}`)));
  });
}

export async function startSim(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./sim-process.js", import.meta.url))], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const m = await waitFor(child, /SIM (http:\/\/\S+)/, "simulator");
  return { url: m[1], child };
}

/** Settings an A/B run may vary from the bench's own environment (e.g. PGLITE_SHARED_BUFFERS=128MB against the default). */
const PASSED_THROUGH = [
  "PGLITE_SHARED_BUFFERS",
  "IDLE_GC_MS",
  "HEAP_GROWING_PERCENT",
  "HEAP_HEADROOM_MB",
  "DATABASE_URL",
  "DATABASE_SCHEMA",
];
export function passedThrough(): Record<string, string> {
  return Object.fromEntries(PASSED_THROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])));
}

/**
 * Starts `node dist/src/main.js` (or `main`, or BENCH_GATEWAY_MAIN: another build's, for A/B runs) with the Node options
 * `npm start` gives it, or `nodeArgs` instead (e.g. ["--trace-gc"]). With BENCH_CPU_PROF=<dir> set, every gateway a bench starts writes a CPU
 * profile there on exit; with BENCH_GW_STDERR=1 its stderr is passed through. `output()` is
 * everything it wrote to stdout so far.
 */
export async function startGateway(
  env: Record<string, string>,
  nodeArgs: string[] = START_NODE_ARGS,
  main = process.env.BENCH_GATEWAY_MAIN ?? fileURLToPath(new URL("../src/main.js", import.meta.url)),
): Promise<{ url: string; child: ChildProcess; sims: Record<string, string>; output: () => string }> {
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, ...nodeArgs, main], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...passedThrough(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => {
    if (process.env.BENCH_GW_STDERR) process.stderr.write(d);
  });
  const m = await waitFor(child, /Gateway ready in \d+ ms: (http:\/\/\S+\/graphql)[\s\S]*\n\n/, "gateway");
  const sims: Record<string, string> = {};
  for (const s of out.matchAll(/^(\w+) simulator at (http:\/\/\S+)/gm)) sims[s[1]] = s[2];
  return { url: m[1], child, sims, output: () => out };
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
