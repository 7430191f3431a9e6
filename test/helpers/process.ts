/** Runs the built gateway (`node dist/src/main.js`) as a child process, as `npm start` would. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { eventually } from "./atrip.js";
import { freshDataDir } from "./store.js";

const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  /** http://localhost:PORT/graphql */
  url: string;
  wsUrl: string;
  /** Base URLs of the simulators the process started, by supplier name (ATRIP, ALITRIP, CTT). */
  sims: Record<string, string>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startGatewayProcess(
  env: Record<string, string> = {},
  timeoutMs = 30_000,
  nodeArgs: string[] = [],
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      SANDBOX_TIME_SCALE: "600",
      LOG_LEVEL: "warn",
      ...(env.DATABASE_URL ? {} : { DATA_DIR: freshDataDir() }),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /Gateway ready in \d+ ms: (http:\/\/\S+\/graphql)/.exec(out);
      if (m && /\n\n/.test(out.slice(m.index))) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  const sims: Record<string, string> = {};
  for (const m of out.matchAll(/^(\w+) simulator at (http:\/\/[^\s;]+)/gm)) sims[m[1]] = m[2];
  return {
    child,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    sims,
    output: () => out,
    stop(signal = "SIGTERM") {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}

/** Reads a simulator's request counters. */
export async function simStats(base: string): Promise<{ total: number; byOperation: Record<string, number> }> {
  const res = await fetch(`${new URL(base).origin}/__sandbox/stats`);
  return (await res.json()) as { total: number; byOperation: Record<string, number> };
}

/** A simulator's latest requests (operation, time, body, and the traceparent header when one came). */
export async function simRequests(base: string): Promise<Array<{ operation: string; at: number; body: string; traceparent?: string }>> {
  const res = await fetch(`${new URL(base).origin}/__sandbox/requests`);
  return (await res.json()) as Array<{ operation: string; at: number; body: string; traceparent?: string }>;
}

/** The gateway's "gateway started" log line (LOG_LEVEL=info), parsed, once it has been written. */
export async function startedLogLine(gw: GatewayProcess): Promise<Record<string, unknown>> {
  const line = await eventually(() =>
    gw
      .output()
      .split("\n")
      .find((l) => l.includes('"msg":"gateway started"')),
  );
  return JSON.parse(line) as Record<string, unknown>;
}
